// Rich text in chat bubbles without HTML: web addresses become links, and an address of an image on
// this site (a referral card) is also shown as the image. Every node is built with createElement and
// textContent, so no text from the server or the customer is ever parsed as HTML; only http(s)
// addresses become links (never javascript: or data:).
// Used by the chat window (chat.js): `fill(container, text)`.

const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const TRAILING = /[.,;:!?)\]'"]+$/; // sentence punctuation after an address is not part of it
const IMAGE_PATH = /\.(png|jpe?g|gif|webp)$/i;

function safeUrl(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch (_) {
    return null;
  }
}

function link(url, label) {
  const a = document.createElement("a");
  a.href = url.href;
  a.textContent = label;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function image(url) {
  const img = document.createElement("img");
  img.className = "bubble-image";
  img.src = url.href;
  img.alt = "";
  img.loading = "lazy";
  return img;
}

// The page's Content-Security-Policy allows images from this site only; others stay links.
const isOwnImage = (url) => url.origin === window.location.origin && IMAGE_PATH.test(url.pathname);

export function fill(container, text) {
  container.textContent = "";
  const images = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    const url = safeUrl(raw);
    if (!url) continue;
    container.append(text.slice(last, match.index), link(url, raw));
    last = match.index + raw.length;
    if (isOwnImage(url)) images.push(url);
  }
  container.append(text.slice(last));
  for (const url of images) container.append(image(url));
}

