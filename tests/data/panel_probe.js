// A console panel used by tests/test_typed_endpoints.py: mounts one line of text.
export default { mount(container, ctx) { container.textContent = ctx.texts.tab; } };
