#!/usr/bin/python3
"""Uploads a batch of files with mwclient (Debian python3-mwclient), for comparing its
throughput with `digikit sync` against the same wiki (the uploader benchmark runs it).

  mediawiki-mwclient-upload.py API_URL USERNAME MANIFEST

MANIFEST: one "PATH<TAB>TARGET NAME" per line. The password comes from the environment
variable MW_PASSWORD so that it never shows in a process list. Prints one JSON line:
{"files": N, "bytes": B, "seconds": S}, timed from connecting to the last upload.
"""
import json
import os
import sys
import time
from urllib.parse import urlsplit

import mwclient


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mediawiki-mwclient-upload.py API_URL USERNAME MANIFEST")
    api_url, username, manifest = sys.argv[1:]
    with open(manifest, encoding="utf-8") as lines:
        batch = [line.rstrip("\n").split("\t", 1) for line in lines if line.strip()]
    url = urlsplit(api_url)
    path = url.path[: url.path.rindex("/") + 1]
    start = time.monotonic()
    site = mwclient.Site(url.netloc, path=path, scheme=url.scheme,
                         clients_useragent="digikit-benchmark (mwclient comparison)")
    site.login(username, os.environ["MW_PASSWORD"])
    total = 0
    for file_path, target in batch:
        with open(file_path, "rb") as handle:
            answer = site.upload(file=handle, filename=target, description="benchmark page",
                                 comment="benchmark")
        answer = answer.get("upload", answer)  # chunked uploads answer one level deeper
        if answer.get("result") != "Success":
            sys.exit("mwclient upload of %s failed: %s" % (target, answer))
        total += os.path.getsize(file_path)
    seconds = time.monotonic() - start
    print(json.dumps({"files": len(batch), "bytes": total, "seconds": seconds}))


if __name__ == "__main__":
    main()
