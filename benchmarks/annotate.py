#!/usr/bin/env python3
"""Instruction-level profile of JIT-compiled methods, for benchmarks/profile.sh (ANNOTATE=regex).

perf cannot annotate .NET methods from a perf map alone: the map names address ranges but the
code bytes live only in the running process. So, while the server still runs, `dump` copies the
bytes of every method whose perf-map name matches a regex out of /proc/PID/mem; afterwards
`show` counts perf's samples per instruction address and prints each method's disassembly
(objdump) with those counts. A sample lands on the instruction after the one that stalled
(skid), so a hot line right after a load usually means that load missed the cache.

  annotate.py dump PID PERF_MAP OUT_DIR REGEX
  annotate.py show PERF_DATA OUT_DIR [TOP]     TOP: instructions listed per method (default all)
"""
import collections
import os
import re
import subprocess
import sys


def dump(pid, perf_map, out_dir, pattern):
    os.makedirs(out_dir, exist_ok=True)
    wanted = re.compile(pattern)
    count = 0
    with open(f'/proc/{pid}/mem', 'rb') as mem, open(os.path.join(out_dir, 'index.txt'), 'w') as index:
        for line in open(perf_map):
            parts = line.rstrip('\n').split(' ', 2)
            if len(parts) < 3 or not wanted.search(parts[2]):
                continue
            start, size = int(parts[0], 16), int(parts[1], 16)
            try:
                mem.seek(start)
                code = mem.read(size)
            except OSError:
                continue
            with open(os.path.join(out_dir, f'{start:x}.bin'), 'wb') as f:
                f.write(code)
            index.write(f'{start:x} {size:x} {parts[2]}\n')
            count += 1
    print(f'annotate: copied the code of {count} methods matching {pattern!r}')


def show(perf_data, out_dir, top):
    samples = collections.Counter()
    script = subprocess.run(['perf', 'script', '-i', perf_data, '-F', 'ip', '--hide-call-graph'], capture_output=True, text=True, check=True)
    for word in script.stdout.split():
        samples[int(word, 16)] += 1
    total = sum(samples.values())
    methods = []
    for line in open(os.path.join(out_dir, 'index.txt')):
        start, size, name = line.rstrip('\n').split(' ', 2)
        start, size = int(start, 16), int(size, 16)
        hits = {ip: n for ip, n in samples.items() if start <= ip < start + size}
        if hits:
            methods.append((sum(hits.values()), start, size, name, hits))
    for hit_count, start, size, name, hits in sorted(methods, reverse=True):
        print(f'\n=== {name}\n    {hit_count} of {total} samples ({100 * hit_count / total:.2f} %), {size} bytes of code')
        listing = subprocess.run(
            ['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', f'--adjust-vma={start:#x}', os.path.join(out_dir, f'{start:x}.bin')],
            capture_output=True, text=True, check=True).stdout
        rows = []
        for row in listing.splitlines():
            m = re.match(r'\s*([0-9a-f]+):\t(.*)', row)
            if m:
                address = int(m.group(1), 16)
                rows.append((hits.get(address, 0), address - start, m.group(2).split('\t')[-1]))
        if top:
            rows = sorted(rows, reverse=True)[:top]
        for n, offset, instruction in rows:
            print(f'{n:6d} {100 * n / hit_count:5.1f} %  +{offset:04x}  {instruction}')


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == 'dump':
        dump(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == 'show':
        show(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 0)
    else:
        sys.exit(__doc__)
