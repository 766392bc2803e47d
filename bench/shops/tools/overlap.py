"""Compare shop evaluation lines with reference files, as the README describes.

Texts are lower-cased and reduced to letters and digits. For every line of each checked file,
prints exact matches with any reference line and the longest substring (of at least MIN
characters) it shares with one, then a count per file.

    python3 bench/shops/tools/overlap.py --ref REFERENCE.tsv \
        --ref bench/shops/clothing.tsv bench/shops/cosmetics.tsv

(REFERENCE.tsv: e.g. the taxonomy's development set, which is kept outside this repository.)
"""
import argparse


def norm(text):
    return ''.join(ch for ch in text.lower() if ch.isalnum())


def texts(path):
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\n').split('\t')[0] for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ref', action='append', required=True, help='reference file (repeatable)')
    ap.add_argument('--min', type=int, default=6, help='shortest shared substring to report')
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()

    refs = [(path, norm(t)) for path in args.ref for t in texts(path)]
    exact = {}
    for path, r in refs:
        exact.setdefault(r, path)

    def grams(k):
        return {r[i:i + k] for _, r in refs for i in range(len(r) - k + 1)}

    cache = {}
    for path in args.files:
        n_exact = n_sub = 0
        for t in texts(path):
            n = norm(t)
            if n in exact:
                n_exact += 1
                print(f'{path}\tEXACT\t{t}\t{exact[n]}')
                continue
            best, k = '', args.min
            while k <= len(n):
                if k not in cache:
                    cache[k] = grams(k)
                hit = next((n[i:i + k] for i in range(len(n) - k + 1) if n[i:i + k] in cache[k]), None)
                if hit is None:
                    break
                best, k = hit, k + 1
            if best:
                n_sub += 1
                src = next(p for p, r in refs if best in r)
                print(f'{path}\tSUB{len(best)}\t{best}\t{t}\t{src}')
        print(f'{path}: {n_exact} exact, {n_sub} lines sharing >= {args.min} characters')


if __name__ == '__main__':
    main()
