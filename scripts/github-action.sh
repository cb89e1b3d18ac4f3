#!/usr/bin/env bash
# The main step of the GitHub Action (action.yml): flowsync plan or apply with the action's inputs,
# then the step outputs, the job summary and the sticky pull-request comment. The inputs arrive as
# FLOWSYNC_INPUT_* environment variables, never pasted into the script, so no input can inject
# shell code. `flowsync` must be on PATH (the action's install step puts it there).
#
# plan:  flowsync plan CONFIG --output markdown --out-dir OUT --out OUT/plan.json --detailed-exitcode
#        [--base REF] FLAGS, then `flowsync comment --github OUT` on pull requests. Exits 1 when the
#        plan exits 1 (invalid manifests, conflicts, errors), after posting the comment it wrote.
# apply: flowsync apply [PLAN_FILE] --dir CONFIG --auto-approve FLAGS.
set -uo pipefail

mode=${FLOWSYNC_INPUT_MODE:-plan}
config=${FLOWSYNC_INPUT_CONFIG_DIR:-.}
out=${FLOWSYNC_INPUT_OUT_DIR:-flowsync-out}
read -r -a extra <<< "${FLOWSYNC_INPUT_FLAGS:-}"

output() { echo "$1=$2" >> "${GITHUB_OUTPUT:-/dev/null}"; }
summary() { cat >> "${GITHUB_STEP_SUMMARY:-/dev/null}"; }

mkdir -p "$out"
case "$mode" in
  plan)
    base=${FLOWSYNC_INPUT_BASE_REF:-}
    # GITHUB_BASE_REF is set on pull_request events only: the branch the pull request merges into.
    if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then base="origin/$GITHUB_BASE_REF"; fi
    args=(plan "$config" --output markdown --out-dir "$out" --out "$out/plan.json" --detailed-exitcode)
    if [ -n "$base" ]; then args+=(--base "$base"); fi
    rm -f "$out"/comment-*.md "$out/plan.json" "$out/review.json"
    flowsync "${args[@]}" "${extra[@]}" > "$out/plan.md"
    code=$?
    output exitcode "$code"
    output has-changes "$([ "$code" = 2 ] && echo true || echo false)"
    if [ -f "$out/plan.json" ]; then output plan-json "$out/plan.json"; fi
    if [ -f "$out/review.json" ]; then output review-json "$out/review.json"; fi
    if [ -f "$out/comment-1.md" ]; then
      for part in $(find "$out" -maxdepth 1 -name 'comment-*.md' | sort -V); do cat "$part"; echo; done | summary
    fi
    if [ "${FLOWSYNC_INPUT_COMMENT:-true}" = true ] && [ -n "${GITHUB_BASE_REF:-}" ] && [ -f "$out/comment-1.md" ]; then
      flowsync comment --github "$out" --output json > "$out/comment.json" || exit 1
      url=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url ?? ""' "$out/comment.json")
      output comment-url "$url"
      echo "flowsync: pull-request comment $url"
    fi
    # 0 nothing to change, 2 changes: both are a successful plan. 1: invalid, conflicts or an error.
    if [ "$code" = 1 ]; then exit 1; fi
    if [ "$code" != 0 ] && [ "$code" != 2 ]; then exit "$code"; fi
    exit 0
    ;;
  apply)
    plan_file=${FLOWSYNC_INPUT_PLAN_FILE:-}
    args=(apply)
    if [ -n "$plan_file" ]; then args+=("$plan_file"); output plan-json "$plan_file"; fi
    args+=(--dir "$config" --auto-approve)
    flowsync "${args[@]}" "${extra[@]}" 2>&1 | tee "$out/apply.txt"
    code=${PIPESTATUS[0]}
    output exitcode "$code"
    { echo '### flowsync apply'; echo; echo '```'; cat "$out/apply.txt"; echo '```'; } | summary
    exit "$code"
    ;;
  *)
    echo "::error::flowsync action: mode must be plan or apply (got \"$mode\")"
    exit 1
    ;;
esac
