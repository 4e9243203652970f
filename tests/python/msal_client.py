"""MSAL for Python (PyPI `msal`, Microsoft's own library) against a running mscommerce, for the black-box tests.

Each subcommand does one thing the way an application using MSAL does it, and prints one JSON object: what MSAL
answered, and what the pages answered where a person would have used a browser. The pages are driven over HTTP as
a browser without JavaScript would: the form is read, its fields filled, and submitted.

    python3 msal_client.py SUBCOMMAND '{"authority": "https://127.0.0.1:PORT/TENANT", "ca": "ca.pem", ...}'

Subcommands: client-secret, client-certificate, auth-code, auth-code-wrong-verifier, auth-code-twice,
auth-code-unregistered-redirect, device-code, device-code-expired, refresh.
"""

import html.parser
import json
import sys
import threading
import time
import urllib.parse

import msal
import requests

# The public client of Microsoft's MSCommerce module, which exists in every tenant.
MODULE_CLIENT_ID = "3d5cffa9-04da-4657-8cab-c7f074657cad"


class Form(html.parser.HTMLParser):
    """The first form of a page: its action, its fields, and its submit buttons."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.inputs = []
        self.buttons = []
        self.in_form = False
        self.done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form":
            self.in_form = True
            self.action = attrs.get("action")
        elif self.in_form and tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if kind in ("submit", "button"):
                self.buttons.append((name, attrs.get("value", "")))
            elif name:
                self.fields[name] = attrs.get("value", "")
                self.inputs.append((name, kind))
        elif self.in_form and tag == "button":
            self.buttons.append((attrs.get("name"), attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
            self.done = True


def read_form(page):
    form = Form()
    form.feed(page.text)
    if form.action is None:
        raise SystemExit(json.dumps({"page_error": page.status_code, "page": page.text[:2000]}))
    return form


def submit(session, page, values, button=None):
    """Fills the page's form with `values` (by field name), presses `button` (a word its name or value holds)."""
    form = read_form(page)
    data = dict(form.fields)
    data.update(values)
    for name, value in form.buttons:
        if name and (button is None or button.lower() in (name + " " + value).lower()):
            data[name] = value
            break
    action = urllib.parse.urljoin(page.url, form.action or page.url)
    return session.post(action, data=data, allow_redirects=False)


def browser(args):
    session = requests.Session()
    session.verify = args["ca"]
    return session


def sign_in_on_page(args, auth_uri, password=None):
    """What a person does at the sign-in page: type the name and password, press the button. Answers the redirect
    (its query as a dict) or, if none, the page's status and text."""
    session = browser(args)
    page = session.get(auth_uri, allow_redirects=False)
    if page.status_code != 200:
        return {"page_status": page.status_code, "location": page.headers.get("Location"), "page": page.text[:2000]}
    answer = submit(session, page, {"username": args["username"], "password": password or args["password"]})
    location = answer.headers.get("Location")
    if answer.status_code in (302, 303) and location:
        query = urllib.parse.urlparse(location).query
        return {"redirect": location, "response": dict(urllib.parse.parse_qsl(query))}
    return {"page_status": answer.status_code, "page": answer.text[:2000]}


def public_app(args, cache=None):
    return msal.PublicClientApplication(
        args.get("client_id", MODULE_CLIENT_ID),
        authority=args["authority"],
        instance_discovery=False,
        verify=args["ca"],
        token_cache=cache,
    )


def scopes(args):
    return [args["audience"] + "/.default"]


def summary(result):
    """What a token answer holds, without the secrets themselves except where a later step needs them."""
    if result is None:
        return None
    out = {k: result.get(k) for k in ("error", "error_description", "token_type", "expires_in", "scope")}
    out["has_access_token"] = bool(result.get("access_token"))
    out["has_refresh_token"] = bool(result.get("refresh_token"))
    out["has_id_token"] = bool(result.get("id_token"))
    out["access_token"] = result.get("access_token")
    out["refresh_token"] = result.get("refresh_token")
    out["id_token_claims"] = result.get("id_token_claims")
    out["token_source"] = result.get("token_source")
    return out


def auth_code(args, redirect_uri):
    app = public_app(args, msal.SerializableTokenCache())
    flow = app.initiate_auth_code_flow(scopes(args), redirect_uri=redirect_uri, login_hint=args.get("username"))
    return app, flow


def cmd_client_secret(args):
    app = msal.ConfidentialClientApplication(
        args["client_id"], client_credential=args["secret"], authority=args["authority"],
        instance_discovery=False, verify=args["ca"])
    return {"result": summary(app.acquire_token_for_client(scopes(args)))}


def cmd_client_certificate(args):
    credential = {"private_key": open(args["private_key"]).read(), "thumbprint": args["thumbprint"]}
    if args.get("public_certificate"):
        credential["public_certificate"] = open(args["public_certificate"]).read()
    app = msal.ConfidentialClientApplication(
        args["client_id"], client_credential=credential, authority=args["authority"],
        instance_discovery=False, verify=args["ca"])
    return {"result": summary(app.acquire_token_for_client(scopes(args)))}


def cmd_auth_code(args):
    app, flow = auth_code(args, args.get("redirect_uri", "http://localhost:8400/"))
    page = sign_in_on_page(args, flow["auth_uri"])
    if "response" not in page:
        return {"page": page}
    result = app.acquire_token_by_auth_code_flow(flow, page["response"])
    out = {"state_returned": page["response"].get("state") == flow["state"], "result": summary(result)}
    # Silent renewal: the access token is in MSAL's cache; force_refresh makes MSAL use the refresh token.
    accounts = app.get_accounts()
    out["accounts"] = [a.get("username") for a in accounts]
    if accounts:
        renewed = app.acquire_token_silent(scopes(args), account=accounts[0], force_refresh=True)
        out["silent"] = summary(renewed)
    return out


def cmd_auth_code_wrong_verifier(args):
    app, flow = auth_code(args, "http://localhost:8400/")
    page = sign_in_on_page(args, flow["auth_uri"])
    if "response" not in page:
        return {"page": page}
    flow["code_verifier"] = flow["code_verifier"][::-1]
    return {"result": summary(app.acquire_token_by_auth_code_flow(flow, page["response"]))}


def cmd_auth_code_twice(args):
    app, flow = auth_code(args, "http://127.0.0.1:8401/callback")
    page = sign_in_on_page(args, flow["auth_uri"])
    if "response" not in page:
        return {"page": page}
    first = app.acquire_token_by_auth_code_flow(dict(flow), page["response"])
    second = app.acquire_token_by_auth_code_flow(dict(flow), page["response"])
    return {"first": summary(first), "second": summary(second)}


def cmd_auth_code_unregistered_redirect(args):
    app, flow = auth_code(args, args["redirect_uri"])
    session = browser(args)
    page = session.get(flow["auth_uri"], allow_redirects=False)
    return {"page_status": page.status_code, "location": page.headers.get("Location"), "page": page.text[:3000]}


def approve_device_code(args, flow, button="continue"):
    """What a person does on another device: open the verification page, type the code, sign in."""
    session = browser(args)
    page = session.get(flow["verification_uri"], allow_redirects=False)
    fields = read_form(page)
    code_field = next(name for name, kind in fields.inputs if kind == "text")
    answer = submit(session, page, {code_field: flow["user_code"]})
    if answer.status_code in (302, 303):
        answer = session.get(urllib.parse.urljoin(page.url, answer.headers["Location"]), allow_redirects=False)
    final = submit(session, answer, {"username": args["username"], "password": args["password"]}, button)
    if final.status_code in (302, 303):
        final = session.get(urllib.parse.urljoin(page.url, final.headers["Location"]), allow_redirects=False)
    return {"status": final.status_code, "page": final.text[:2000]}


def cmd_device_code(args):
    app = public_app(args)
    flow = app.initiate_device_flow(scopes(args))
    if "user_code" not in flow:
        return {"flow": flow}
    shown = {k: flow.get(k) for k in ("user_code", "verification_uri", "expires_in", "interval", "message")}
    person = {}

    def later():
        # The person needs a while to find the page: MSAL polls and hears authorization_pending meanwhile.
        time.sleep(float(args.get("delay", 2)))
        person.update(approve_device_code(args, flow, args.get("button", "continue")))

    thread = threading.Thread(target=later)
    thread.start()
    result = app.acquire_token_by_device_flow(flow)
    thread.join()
    return {"flow": shown, "person": person, "result": summary(result)}


def cmd_device_code_expired(args):
    app = public_app(args)
    flow = app.initiate_device_flow(scopes(args))
    if "user_code" not in flow:
        return {"flow": flow}
    lifetime = flow["expires_in"]
    # MSAL stops polling on its own when the code's time is up; let it believe it has longer, so that the
    # service's own answer after the expiry is what it reports.
    flow["expires_at"] = time.time() + lifetime + 30
    started = time.time()
    result = app.acquire_token_by_device_flow(flow)
    return {"expires_in": lifetime, "waited": time.time() - started, "result": summary(result)}


def cmd_refresh(args):
    app = public_app(args)
    return {"result": summary(app.acquire_token_by_refresh_token(args["refresh_token"], scopes(args)))}


def main():
    command, args = sys.argv[1], json.loads(sys.argv[2])
    handler = globals().get("cmd_" + command.replace("-", "_"))
    if handler is None:
        raise SystemExit("unknown subcommand " + command)
    out = handler(args)
    out["msal_version"] = msal.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
