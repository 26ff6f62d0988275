#!/usr/bin/python3
"""Draws annotated page corners on a photo to check them by eye.

  overlay.py PHOTO QUADS_JSON OUT.png [HALF]

QUADS_JSON is a list of quads ([[x,y] x4], TL TR BR BL as the page reads). OUT.png shows
the photo with each quad and its corner labels, and beside it every corner magnified
(a window of 2*HALF px, default 60) with the two sides through it.
"""
import json, sys
import cv2
import numpy as np

NAMES = ['TL', 'TR', 'BR', 'BL']
TILE = 320


def full_view(photo, quads):
    h, w = photo.shape[:2]
    view = photo.copy()
    thick = max(1, w // 600)
    for qi, quad in enumerate(quads):
        cv2.polylines(view, [np.int32(quad)], True, (0, 0, 255), thick)
        for name, (x, y) in zip(NAMES, quad):
            cv2.putText(view, f'{qi}{name}', (int(x) + 5, int(y) - 5), cv2.FONT_HERSHEY_SIMPLEX, w / 1200, (255, 0, 255), thick)
    scale = 720 / h if h >= w * 0.75 else 900 / w
    return cv2.resize(view, (int(w * scale), int(h * scale)))


def corner_tile(photo, quad, i, qi, half):
    x, y = (int(round(v)) for v in quad[i])
    padded = cv2.copyMakeBorder(photo, half, half, half, half, cv2.BORDER_CONSTANT, value=(0, 255, 0))
    tile = cv2.resize(padded[y:y + 2 * half, x:x + 2 * half], (TILE, TILE), interpolation=cv2.INTER_NEAREST)
    c = TILE // 2
    for j in ((i + 1) % 4, (i + 3) % 4):
        d = np.subtract(quad[j], quad[i])
        d = d / (np.linalg.norm(d) + 1e-9)
        cv2.line(tile, (c, c), (int(c + d[0] * 2 * TILE), int(c + d[1] * 2 * TILE)), (0, 0, 255), 1)
    cv2.circle(tile, (c, c), 3, (0, 0, 255), 1)
    cv2.putText(tile, f'{qi}{NAMES[i]} ({x},{y})', (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 0, 255), 1)
    return tile


def main():
    photo = cv2.imread(sys.argv[1])
    quads = json.loads(sys.argv[2])
    half = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    tiles = [corner_tile(photo, q, i, qi, half) for qi, q in enumerate(quads) for i in range(4)]
    blank = np.zeros((TILE, TILE, 3), np.uint8)
    grid = np.vstack([np.hstack((tiles[k:k + 2] + [blank])[:2]) for k in range(0, len(tiles), 2)])
    left = full_view(photo, quads)
    canvas = np.full((max(left.shape[0], grid.shape[0]), left.shape[1] + grid.shape[1] + 8, 3), 255, np.uint8)
    canvas[:left.shape[0], :left.shape[1]] = left
    canvas[:grid.shape[0], left.shape[1] + 8:] = grid
    cv2.imwrite(sys.argv[3], canvas)


if __name__ == '__main__':
    main()
