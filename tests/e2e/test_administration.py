"""An administrator creates a user, resets their password, and the user must choose their own at sign-in."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.models.accounts import Role, User
from tests.factories import PASSWORD

OWN_PASSWORD = "sample-chosen-password-26"


def sign_in(page, live_url, username: str, password: str) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_creates_a_user_and_resets_the_password(page, live_url, factory, session, screenshot):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    team = factory.team()
    factory.user(Role.ADMINISTRATOR, username="admin.browser")
    sign_in(page, live_url, "admin.browser", PASSWORD)
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    screenshot("admin-users")
    page.get_by_role("button", name="Add a user").click()
    page.get_by_label("User name").fill("sample.newcomer")
    page.get_by_label("Display name").fill("Sample Newcomer")
    page.get_by_label("Role").select_option("caseworker")
    page.locator("#language").select_option("en")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("#team_id-error")).to_have_text("Caseworkers and supervisors belong to a team.")
    screenshot("admin-user-form-error")
    page.get_by_label("Team (caseworkers and supervisors)").select_option(str(team.id))
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The account was created")
    first = page.locator("#temporary-password").inner_text()
    screenshot("admin-user-created")

    page.get_by_role("link", name="Back to the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sample Newcomer")
    screenshot("admin-user-page")
    page.get_by_role("button", name="Reset the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The password was reset")
    temporary = page.locator("#temporary-password").inner_text()
    assert temporary != first
    screenshot("admin-password-reset")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_url, "sample.newcomer", first)
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is wrong.")
    sign_in(page, live_url, "sample.newcomer", temporary)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_text("Choose your own password before you continue.")).to_be_visible()
    screenshot("forced-password-change")
    page.goto(f"{live_url}/cases/")  # nothing else is reachable before the change
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("New password again").fill(OWN_PASSWORD)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    screenshot("password-changed")
    session.rollback()
    user = session.query(User).filter_by(username="sample.newcomer").one()
    assert user.must_change_password is False
    # The refused form (422) and the wrong password (401) are logged as failed loads; nothing else may be.
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


def test_the_administration_pages_render_in_khmer(page, live_url, factory, screenshot):
    team = factory.team()
    factory.user(Role.CASEWORKER, team)
    factory.user(Role.ADMINISTRATOR, username="admin.khmer.browser", language="km")
    sign_in(page, live_url, "admin.khmer.browser", PASSWORD)
    page.goto(f"{live_url}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("អ្នកប្រើ")
    screenshot("admin-users-khmer")
    page.goto(f"{live_url}/admin/organisations/{team.organisation_id}")
    expect(page.get_by_role("heading", level=2, name="ក្រុម")).to_be_visible()
    screenshot("admin-organisation-khmer")
