// examples/cluster-editor in headless Chromium: sign in on the provider's own login page,
// edit the cluster, see the change through the API, a stale ETag's 412, the API's
// problem+json errors, sign out. Starts nothing: tests/browser/run.sh starts the page, the
// provider and the API, and gives their URLs in the environment.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run tests/browser/run.sh)`);
  return v;
}
const EDITOR_URL = env("EDITOR_URL");
const API = env("GRAPPE_API");
const ADMIN_KEY = env("GRAPPE_ADMIN_KEY");
const CLUSTER = env("CLUSTER_ID");
const USER = env("OIDC_USER");
const PASSWORD = env("OIDC_PASSWORD");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;

let browser;
let page;
let signedIn = false;

// The cluster as the API has it, read with the admin key.
async function apiCluster() {
  const r = await fetch(`${API}/v1/clusters/${CLUSTER}`, {
    headers: { Authorization: `Bearer ${ADMIN_KEY}` },
  });
  assert.equal(r.status, 200, `GET the cluster: ${r.status}`);
  return r.json();
}

const status = () => page.getByRole("status");
const alert = () => page.getByRole("alert");

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
});

after(async () => {
  await browser?.close();
});

// A failed step leaves a screenshot next to the logs.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    if (SCREENSHOT_DIR && page) {
      await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true }).catch(() => {});
      console.log(`screenshot: ${SCREENSHOT_DIR}/${name}.png (at ${page.url()})`);
    }
    throw e;
  }
}

test("signs in on the provider's login page and comes back with the cluster", () =>
  step("sign-in", async () => {
    await page.goto(EDITOR_URL);
    await status().filter({ hasText: "Not signed in." }).waitFor();
    await page.getByRole("button", { name: "Sign in" }).click();

    // Glewlwyd's own login page (its webapp), on the provider's origin
    await page.waitForURL((u) => u.pathname.endsWith("/login.html"));
    assert.notEqual(new URL(page.url()).origin, new URL(EDITOR_URL).origin);
    await page.locator("#username").fill(USER);
    await page.locator("#password").fill(PASSWORD);
    await page.locator("#loginbut").click();

    // The first time, the provider asks alice to grant the page its scopes.
    const back = page.waitForURL((u) => u.href.startsWith(EDITOR_URL), { timeout: 15_000 });
    const grant = page.getByRole("heading", { name: "Client access grant" });
    const first = await Promise.race([back.then(() => "back"), grant.waitFor().then(() => "grant")]);
    if (first === "grant") {
      for (const box of await page.locator("input[type=checkbox][id^='grant-']:not([disabled])").all()) {
        await box.check();
      }
      await page.getByRole("button", { name: "Grant access" }).click();
      await page.getByTitle("Continue to client application").click();
    }
    await back;

    await status().filter({ hasText: "Cluster loaded." }).waitFor();
    const cluster = await apiCluster();
    assert.equal(await page.getByRole("heading", { level: 2 }).last().textContent(), cluster.name);
    assert.equal(await page.getByLabel("Description").inputValue(), cluster.description);
    assert.match(await page.locator("#who").textContent(), new RegExp(USER));
    // the code and state are out of the address; no token in localStorage, nothing left
    // in sessionStorage once the provider has answered
    assert.equal(new URL(page.url()).search, "");
    assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);
    signedIn = true;
  }));

test("saves a new description with If-Match, and the API has it", (t) =>
  signedIn ? step("save", async () => {
    const text = `Décolletage et mécatronique (edited in headless Chromium, ${new Date().toISOString()})`;
    await page.getByLabel("Description").fill(text);
    await page.getByRole("button", { name: "Save" }).click();
    await status().filter({ hasText: "Saved." }).waitFor();
    assert.equal((await apiCluster()).description, text);
    assert.equal(await alert().isVisible(), false);
  }) : t.skip("not signed in"));

test("a save over someone else's change is refused (412) with a clear message", (t) =>
  signedIn ? step("stale-etag", async () => {
    // another writer changes the cluster behind the page's back
    const theirs = `Changed by someone else (${Date.now()})`;
    const r = await fetch(`${API}/v1/clusters/${CLUSTER}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ description: theirs }),
    });
    assert.equal(r.status, 200);
    await page.getByLabel("Description").fill("My change over a stale copy");
    await page.getByRole("button", { name: "Save" }).click();
    await alert().filter({ hasText: "someone changed this cluster since you loaded it" }).waitFor();
    assert.equal((await apiCluster()).description, theirs, "the stale save must change nothing");

    // Reload shows their version; saving from there works again
    await page.getByRole("button", { name: "Reload" }).click();
    await status().filter({ hasText: "Cluster loaded." }).waitFor();
    assert.equal(await page.getByLabel("Description").inputValue(), theirs);
  }) : t.skip("not signed in"));

test("the API's problem+json errors are shown, field by field", (t) =>
  signedIn ? step("problem", async () => {
    await page.getByLabel("Website").fill("not a web address");
    await page.getByRole("button", { name: "Save" }).click();
    await alert().filter({ hasText: "Saving failed" }).waitFor();
    const items = await alert().getByRole("listitem").allTextContents();
    assert.ok(items.some((i) => i.startsWith("website: ")), `errors shown: ${JSON.stringify(items)}`);
    assert.notEqual((await apiCluster()).website, "not a web address");
  }) : t.skip("not signed in"));

test("signs out", (t) =>
  signedIn ? step("sign-out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await status().filter({ hasText: "Signed out." }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Sign in" }).isVisible(), true);
    assert.equal(await page.getByLabel("Description").isVisible(), false);
  }) : t.skip("not signed in"));
