#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the shipped policies, the check fixtures and the
# example cases. Run from anywhere; the corpora live in fuzz/corpus/<target> (not committed).
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/parse corpus/check corpus/case corpus/eval corpus/test_file
for f in "$root"/policies/*.pol "$root"/tests/data/check/*/*.pol "$root"/tests/data/bad-input/*/*.pol; do
  [ -f "$f" ] || continue
  name=$(basename "$(dirname "$f")")_$(basename "$f")
  cp "$f" "corpus/parse/$name"
  cp "$f" "corpus/check/$name"
done
# The case target reads its first byte as the format: 0 JSON, 1 YAML, 2 TOML, 3 JSON lines.
for f in "$root"/examples/cases/* "$root"/tests/data/cases/*/* "$root"/tests/data/bad-input/cases/*; do
  [ -f "$f" ] || continue
  case "$f" in
    *.json) b='\x00' ;; *.yaml|*.yml) b='\x01' ;; *.toml) b='\x02' ;; *.jsonl) b='\x03' ;; *) continue ;;
  esac
  { printf "$b"; cat "$f"; } > "corpus/case/$(basename "$f")"
done
# test_file reads policy test files: the shipped ones and the fixtures.
for f in "$root"/tests/policies/*.yaml "$root"/tests/data/policy-tests/*.yaml; do
  [ -f "$f" ] || continue
  cp "$f" "corpus/test_file/$(basename "$(dirname "$f")")_$(basename "$f")"
done
# eval draws structured cases from raw bytes; a few random seeds start it off.
for i in 1 2 3 4 5 6 7 8; do head -c 512 /dev/urandom > "corpus/eval/seed$i"; done
echo "seeded: $(ls corpus/parse | wc -l) parse, $(ls corpus/check | wc -l) check, $(ls corpus/case | wc -l) case, $(ls corpus/eval | wc -l) eval, $(ls corpus/test_file | wc -l) test_file"
