#!/usr/bin/env python3
# Usage: replicate_records.py IN.jsonl N OUT.jsonl  (then `nianbao outputs DIR` on OUT's folder)
# Measures the audit page, workbook and database at scale without converting N documents.
# Makes N records from the fixtures' records: each copy under its own folder, its agency named
# after its copy group so that agencies have several years.
import json, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recs = [l for l in open(src, encoding='utf-8') if l.strip()]
with open(out, 'w', encoding='utf-8') as f:
    for i in range(n):
        r = json.loads(recs[i % len(recs)])
        copy = i // len(recs)
        r['source']['path'] = f"copy{copy:04d}/" + r['source']['path']
        if r['report'].get('agency'):
            r['report']['agency'] = f"第{copy // 4}组" + r['report']['agency']
            r['report']['year'] = (r['report']['year'] or 2020) + copy % 4
        f.write(json.dumps(r, ensure_ascii=False) + '\n')
