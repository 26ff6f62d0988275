#!/usr/bin/python3
"""Rebuilds the second set's photos (../shared/real-photos-more/) from local git mirrors
of their source repositories, as this folder's README describes: each photo read from the
commit and path that truth.json's `source` names, EXIF orientation applied, downscaled so
that its long side is at most 2000 px, written as JPEG quality 90, checked against
truth.json's image_size; truth.json is copied beside them. With --truth, the same for
another set kept in this folder (books.json: the third set, ../shared/real-photos-books/),
its truth copied beside the photos as truth.json.

  make_more_set.py [--truth PATH] [--mirrors DIR] [--repo OWNER/NAME=GIT_DIR]... [OUT]

A repository's git directory is taken from --repo, else looked up under --mirrors as
OWNER+NAME/repo or OWNER+NAME/repo/.git (default /work/.mirror). OUT defaults to
$DIGIKIT_REAL_PHOTOS_MORE or ../shared/real-photos-more beside the project (with --truth,
give OUT). Exit 1 when a photo cannot be read or its size differs from the truth. Needs
cv2 (Debian python3-opencv).
"""
import argparse, json, os, shutil, subprocess, sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRUTH = os.path.join(HERE, 'truth.json')
LONG_SIDE = 2000
QUALITY = 90


def git_dir(repo, explicit, mirrors):
    if repo in explicit:
        return explicit[repo]
    base = os.path.join(mirrors, repo.replace('/', '+'), 'repo')
    for candidate in (os.path.join(base, '.git'), base):
        if os.path.isfile(os.path.join(candidate, 'HEAD')):
            return candidate
    sys.exit(f'no git mirror of {repo} under {mirrors} (give --repo {repo}=GIT_DIR)')


def blob(gitdir, commit, path):
    done = subprocess.run(['git', '--git-dir', gitdir, 'show', f'{commit}:{path}'], capture_output=True)
    if done.returncode != 0:
        sys.exit(f'{gitdir}: cannot read {commit}:{path}: {done.stderr.decode().strip()}')
    return done.stdout


def downscaled(data):
    # imdecode with IMREAD_COLOR applies the EXIF orientation, as cv2.imread does.
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    h, w = image.shape[:2]
    scale = LONG_SIDE / max(w, h)
    if scale < 1.0:
        size = (int(round(w * scale)), int(round(h * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', nargs='?')
    parser.add_argument('--truth', default=TRUTH, help='the set\'s truth (default: this folder\'s truth.json)')
    parser.add_argument('--mirrors', default='/work/.mirror')
    parser.add_argument('--repo', action='append', default=[], help='OWNER/NAME=GIT_DIR')
    args = parser.parse_args()
    if args.out is None:
        if os.path.abspath(args.truth) != TRUTH:
            sys.exit('give OUT, the folder for this set\'s photos (the default is the second set\'s)')
        args.out = os.environ.get('DIGIKIT_REAL_PHOTOS_MORE',
                                  os.path.join(HERE, '..', '..', '..', '..', 'shared', 'real-photos-more'))
    explicit = dict(r.split('=', 1) for r in args.repo)
    with open(args.truth) as f:
        records = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    bad = 0
    for r in records:
        src = r['source']
        image = downscaled(blob(git_dir(src['repo'], explicit, args.mirrors), src['commit'], src['path']))
        if image is None:
            print(f"{r['file']}: cannot decode {src['repo']}:{src['path']}", file=sys.stderr)
            bad += 1
            continue
        size = [image.shape[1], image.shape[0]]
        target = os.path.join(args.out, r['file'])
        cv2.imwrite(target, image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
        ok = size == list(r['image_size'])
        bad += not ok
        print(f"{r['file']}: {size[0]}x{size[1]}" + ('' if ok else f" != truth {r['image_size']}"))
    shutil.copyfile(args.truth, os.path.join(args.out, 'truth.json'))
    print(f'{len(records) - bad} of {len(records)} photos in {os.path.abspath(args.out)}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
