#!/bin/sh
# Issue 21's tests against main 773a4d5, where each should fail (docs/udvikling.md has the table).
# Usage: tests/probes_773a4d5/run.sh [FOLDER]   (default /tmp/tvaers-773a4d5; an existing
# checkout of 773a4d5 with its venv is reused and left in place, a new one is removed after).
set -eu
repo=$(git rev-parse --show-toplevel)
old=${1:-/tmp/tvaers-773a4d5}
if [ ! -d "$old" ]; then
	git -C "$repo" worktree add --detach "$old" 773a4d5
	trap 'git -C "$repo" worktree remove --force "$old"' EXIT
fi
cd "$old"
make .venv/.installed-test >/dev/null
# Test helpers that grew since (csrf_of, public_url, serve(url -> app)); no product code.
for f in oidc.py browser.py fakes.py test_sign_in_guards.py test_sign_in_sessions.py \
	test_exports.py test_api_pairings.py test_browser_auth.py; do
	cp "$repo/tests/$f" tests/
done
# test_edit.py imports indexer.erasure, which 773a4d5 lacks; its issue-21 tests do not use it.
grep -v '^from indexer.erasure import' "$repo/tests/test_edit.py" >tests/test_edit.py
cp "$repo/tests/probes_773a4d5/probe_clock.py" tests/test_probe_clock.py
e=tests/test_edit.py
s=tests/test_sign_in_sessions.py
g=tests/test_sign_in_guards.py
b=tests/test_browser_auth.py
.venv/bin/pytest -p no:cacheprovider -q --tb=line -rA \
	"$s::test_an_unverified_email_claim_gets_no_one_elses_units" \
	"$s::test_sign_out_ends_the_session_for_a_copied_cookie_too" \
	"$s::test_an_admin_lists_and_ends_a_users_sessions" \
	"$b::test_sign_in_and_sign_out" \
	tests/test_probe_clock.py \
	"$g::test_next_accepts_only_a_path_on_this_site" \
	"$b::test_the_continue_link_never_leaves_the_site" \
	"$g::test_extra_columns_are_hidden_from_anonymous_readers_unless_listed_public" \
	"tests/test_exports.py::test_csv_is_inert_whether_split_on_commas_or_semicolons" \
	"$e::test_the_edit_form_refuses_nul_and_strips_bidi_controls_as_the_api_does" \
	"$e::test_the_new_record_form_uses_the_apis_id_rule" \
	"$e::test_the_delete_form_checks_the_version" \
	"$g::test_a_cookie_authenticated_api_write_needs_the_csrf_header" \
	"$s::test_a_nonce_that_does_not_match_is_a_danish_401" \
	"$g::test_json_nested_too_deep_is_a_danish_422" \
	"$g::test_a_unit_editor_key_for_a_unit_that_does_not_exist_cannot_create_it" \
	"$g::test_failed_key_checks_are_throttled_per_address" \
	"$g::test_sign_in_starts_are_throttled_per_address" \
	"$s::test_sign_in_sends_pkce_and_the_configured_redirect_uri" \
	"$s::test_oidc_needs_the_public_url" \
	"tests/test_api_pairings.py::test_a_proposal_is_its_makers_and_the_admins_only" || true
