#!/usr/bin/env bash
# Supply-chain and static checks: bandit over our code, pip-audit over the locked dependencies.
#
# Exit codes: 0 clean; 1 bandit found something not in security/bandit-baseline.json; 2 pip-audit found a
# known vulnerability not listed in security/exceptions.md; 3 the vulnerability service could not be
# reached, so NOTHING was audited (fail-closed; set LANTERN_PIP_AUDIT_OFFLINE=warn to accept that on a
# machine without internet: the run then passes but says so loudly and records it). docs/security.md
# explains why.
#
# Records of every run: $LANTERN_SECURITY_RECORDS (default data/security/): bandit.json,
# requirements.txt (what was audited), pip-audit.json and summary.txt.
set -uo pipefail
cd "$(dirname "$0")/.."

RECORDS="${LANTERN_SECURITY_RECORDS:-data/security}"
mkdir -p "$RECORDS"
SUMMARY="$RECORDS/summary.txt"
: > "$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }

tool() {  # the project's venv first (bandit and pip-audit in the dev group), then LANTERN_SECURITY_VENV
  for dir in .venv/bin "${LANTERN_SECURITY_VENV:-/nonexistent}/bin"; do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  return 1
}
BANDIT=$(tool bandit) || { echo "bandit not installed (dev group, or LANTERN_SECURITY_VENV)" >&2; exit 4; }
PIP_AUDIT=$(tool pip-audit) || { echo "pip-audit not installed (dev group, or LANTERN_SECURITY_VENV)" >&2; exit 4; }
UV="${UV:-.tools/bin/uv}"
[ -x "$UV" ] || UV=$(command -v uv) || { echo "uv not found (make install puts it in .tools/bin)" >&2; exit 4; }

note "lantern security checks, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
status=0

# --- bandit: skips in security/bandit.yaml, accepted findings in the baseline (both in exceptions.md) ---
"$BANDIT" -c security/bandit.yaml -r sources models dashboards pipelines -q -f json -o "$RECORDS/bandit.json" \
  >/dev/null 2>&1
if "$BANDIT" -c security/bandit.yaml -b security/bandit-baseline.json -r sources models dashboards pipelines -q \
  > "$RECORDS/bandit-new.txt" 2>&1; then
  note "bandit: clean (accepted findings: security/bandit-baseline.json, reasons in security/exceptions.md)"
else
  cat "$RECORDS/bandit-new.txt"
  note "bandit: NEW FINDINGS (see above): fix them, or accept each in the baseline with its reason in exceptions.md"
  status=1
fi

# --- pip-audit: the exact locked versions, as uv.lock pins them ---------------------------------------
"$UV" export --frozen --format requirements-txt --no-emit-project --quiet > "$RECORDS/requirements.txt"
ignores=()
while read -r vuln_id; do ignores+=(--ignore-vuln "$vuln_id"); done < <(
  sed -n 's/^| *\(\(PYSEC\|GHSA\|CVE\)-[A-Za-z0-9-]*\) *|.*/\1/p' security/exceptions.md)
"$PIP_AUDIT" -r "$RECORDS/requirements.txt" --no-deps --disable-pip --progress-spinner off -f json \
  "${ignores[@]}" -o "$RECORDS/pip-audit.json" > "$RECORDS/pip-audit.log" 2>&1
audit_rc=$?
# pip-audit exits 0 with "No known vulnerabilities found" when it could not look a single package up;
# count what it really audited.
read -r total skipped vulns < <("$(dirname "$PIP_AUDIT")/python" - "$RECORDS/pip-audit.json" <<'PY'
import json, sys
try:
    deps = json.load(open(sys.argv[1]))["dependencies"]
except Exception:
    deps = []
skipped = [d["skip_reason"] for d in deps if "skip_reason" in d]
open(sys.argv[1] + ".first-skip", "w").write(skipped[0][:160] if skipped else "")
print(len(deps), len(skipped), sum(len(d.get("vulns", [])) for d in deps))
PY
)
requested=$(grep -c '^[A-Za-z0-9].*==' "$RECORDS/requirements.txt")
if [ "${total:-0}" -eq 0 ] || [ "${skipped:-0}" -gt 0 ]; then
  cat <<EOF | tee -a "$SUMMARY" >&2

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! pip-audit: NOT AUDITED. ${skipped:-?} of ${total:-?} locked packages (${requested} pins exported) could not be
!! looked up: the vulnerability service (PyPI JSON API / OSV) is unreachable from here. Its "No known
!! vulnerabilities found" would be a false green.
!! First reason: $(cat "$RECORDS/pip-audit.json.first-skip" 2>/dev/null || grep -m1 -o 'Error.*' "$RECORDS/pip-audit.log" | cut -c1-160)
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
EOF
  if [ "${LANTERN_PIP_AUDIT_OFFLINE:-fail}" = "warn" ]; then
    note "pip-audit: accepted as NOT AUDITED on this run (LANTERN_PIP_AUDIT_OFFLINE=warn); audit on a connected runner"
  else
    [ "$status" -eq 0 ] && status=3
  fi
elif [ "$audit_rc" -ne 0 ] || [ "${vulns:-0}" -gt 0 ]; then
  grep -v '^WARNING' "$RECORDS/pip-audit.log"
  note "pip-audit: ${vulns} known vulnerabilit(y/ies) in ${total} packages: upgrade, or list each in security/exceptions.md"
  [ "$status" -eq 0 ] && status=2
else
  note "pip-audit: ${total} locked packages audited, no known vulnerabilities (vulnerabilities ignored as listed exceptions: $(( ${#ignores[@]} / 2 )))"
fi
note "records: $RECORDS"
exit "$status"
