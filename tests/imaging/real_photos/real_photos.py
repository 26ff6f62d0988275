#!/usr/bin/python3
"""Runs `digikit process` on sets of hand-annotated real photos and scores it with the
shared score.py (../shared/real-photos/score.py beside the project).

  real_photos.py --digikit BIN [--textbook BIN] [--min-correct F] [--max-silent N] SET...

A SET is a folder of photos with its truth.json, or IMAGES_DIR=TRUTH.json when the truth
is kept apart from the photos; a SET starting with '?' is left out when it is not there. Cradle photos (kind cradle_single) are processed with the
view of their camera (role left -> --view left-page, right -> right-page) when digikit
has --view; every other photo with the automatic view. Prints score.py's line per set and
for all sets together, the table by kind, and the time per photo. With --textbook, the
textbook OpenCV scanner (tests/imaging/bench) is scored on the same photos.
Exit 1 when a threshold is not met, 77 (skipped) when score.py or a set is missing.
"""
import argparse, json, os, re, subprocess, sys, tempfile, time
from collections import defaultdict

SKIP = 77
VIEW_OF_ROLE = {'left': 'left-page', 'right': 'right-page'}


def load_set(spec):
    images, _, truth = spec.partition('=')
    truth = truth or os.path.join(images, 'truth.json')
    if not os.path.isdir(images) or not os.path.isfile(truth):
        return None
    with open(truth) as f:
        records = json.load(f)
    missing = [r['file'] for r in records if not os.path.isfile(os.path.join(images, r['file']))]
    if missing:
        return None
    return images, records


def has_view_option(digikit):
    help_text = subprocess.run([digikit, 'process', '--help'], capture_output=True, text=True).stdout
    return '--view' in help_text


def view_groups(images, records, use_views):
    groups = defaultdict(list)
    for r in records:
        view = VIEW_OF_ROLE.get(r.get('role')) if use_views and r['kind'] == 'cradle_single' else None
        groups[view].append(os.path.join(images, r['file']))
    return groups


def run_digikit(digikit, groups, work):
    merged, seconds, count = [], 0.0, 0
    for n, (view, files) in enumerate(sorted(groups.items(), key=lambda g: g[0] or '')):
        report = os.path.join(work, f'digikit_{n}.json')
        cmd = [digikit, 'process', *files, '--out', os.path.join(work, f'out_{n}'), '--report', report, '--threads', '1']
        if view:
            cmd += ['--view', view]
        start = time.monotonic()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds += time.monotonic() - start
        count += len(files)
        if not os.path.isfile(report):
            sys.exit(f'digikit process wrote no report (exit {done.returncode}): {done.stderr.strip()}')
        with open(report) as f:
            merged += json.load(f)['images']
    return merged, seconds / max(count, 1)


def run_textbook(textbook, files, work):
    report = os.path.join(work, 'textbook.json')
    start = time.monotonic()
    subprocess.run([textbook, report, *files], check=True, capture_output=True)
    seconds = time.monotonic() - start
    with open(report) as f:
        return json.load(f)['images'], seconds / max(len(files), 1)


SUMMARY = re.compile(r'correct (\d+)/(\d+) .*silent failures (\d+), spurious pages (\d+) \((\d+) silent\)')


def score(score_py, records, images, work, name, extra=()):
    """score.py's summary line and its figures (its --json output cannot be used: it
    stops on numpy booleans)."""
    truth = os.path.join(work, f'{name}_truth.json')
    report = os.path.join(work, f'{name}_report.json')
    with open(truth, 'w') as f:
        json.dump(records, f)
    with open(report, 'w') as f:
        json.dump({'images': images}, f)
    done = subprocess.run([sys.executable, score_py, truth, report, *extra], capture_output=True, text=True)
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ''
    figures = SUMMARY.search(line)
    if not figures:
        sys.exit(f'score.py failed (exit {done.returncode}): {done.stderr.strip()}')
    correct, pages, silent, spurious, spurious_silent = (int(g) for g in figures.groups())
    return done.returncode, line, {'correct': correct, 'pages': pages, 'silent': silent + spurious_silent}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--digikit', required=True)
    ap.add_argument('--textbook')
    ap.add_argument('--score', default=os.path.join(os.path.dirname(__file__), '../../../../shared/real-photos/score.py'))
    ap.add_argument('--min-correct', type=float)
    ap.add_argument('--max-silent', type=int)
    ap.add_argument('--keep', help='keep the reports and pages in this folder')
    ap.add_argument('sets', nargs='+')
    a = ap.parse_args()
    if not os.path.isfile(a.score):
        print(f'SKIPPED: no score.py at {os.path.normpath(a.score)} (the shared real photos are not beside the project)')
        return SKIP
    sets = {}
    for spec in a.sets:
        optional = spec.startswith('?')
        loaded = load_set(spec.lstrip('?'))
        if loaded is None and optional:
            print(f'note: the optional real-photo set {spec[1:]} is not there (photos or truth.json missing): left out')
        elif loaded is None:
            print(f'SKIPPED: the real-photo set {spec} is not there (photos or truth.json missing)')
            return SKIP
        else:
            sets[spec.lstrip('?')] = loaded
    use_views = has_view_option(a.digikit)
    if not use_views:
        print('note: digikit process has no --view yet; cradle photos run with the automatic view')
    thresholds = []
    if a.min_correct is not None:
        thresholds += ['--min-correct', str(a.min_correct)]
    if a.max_silent is not None:
        thresholds += ['--max-silent', str(a.max_silent)]
    with tempfile.TemporaryDirectory(prefix='digikit-real-photos-') as tmp:
        work = a.keep or tmp
        os.makedirs(work, exist_ok=True)
        all_records, all_pages, all_textbook = [], [], []
        for n, (spec, (images, records)) in enumerate(sets.items()):
            pages, per_photo = run_digikit(a.digikit, view_groups(images, records, use_views), os.path.join(work, str(n)))
            _, line, _ = score(a.score, records, pages, work, f'set{n}')
            print(f'{spec}: digikit {line} | {per_photo * 1000:.0f} ms per photo')
            all_records += records
            all_pages += pages
            if a.textbook:
                files = [os.path.join(images, r['file']) for r in records]
                tb, tb_per_photo = run_textbook(a.textbook, files, work)
                _, tb_line, _ = score(a.score, records, tb, work, f'tb{n}')
                print(f'{spec}: textbook {tb_line} | {tb_per_photo * 1000:.0f} ms per photo')
                all_textbook += tb
        code, line, summary = score(a.score, all_records, all_pages, work, 'all', thresholds)
        print(f'all sets: digikit {line}')
        if a.textbook:
            _, tb_line, _ = score(a.score, all_records, all_textbook, work, 'tball')
            print(f'all sets: textbook {tb_line}')
        if code != 0:
            print(f'FAILED: {summary["correct"]}/{summary["pages"]} pages correct, {summary["silent"]} silent failures; '
                  f'target: at least {a.min_correct:.0%} correct, at most {a.max_silent} silent')
        return 1 if code != 0 else 0


if __name__ == '__main__':
    sys.exit(main())
