// Builds the front-end assets into app/static/vendor (git-ignored) from pinned npm packages.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "app", "static", "vendor");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "govuk"), { recursive: true });

cpSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx.min.js"));
cpSync(
  join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"),
  join(vendor, "govuk", "govuk-frontend.min.js"),
);
// No GOV.UK images or fonts are copied: we may not use the crown, logotype or GDS Transport.
cpSync(join(modules, "axe-core", "axe.min.js"), join(vendor, "axe.min.js"));

const result = sass.compile(join(root, "app", "static", "scss", "portal.scss"), {
  style: "compressed",
  sourceMap: false,
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
});
if (result.css.includes("GDS Transport") || result.css.length < 50000) {
  throw new Error("portal.css looks wrong (GOV.UK font present, or too small).");
}
writeFileSync(join(vendor, "portal.css"), result.css);
console.log(`Built app/static/vendor (portal.css ${Math.round(result.css.length / 1024)} KiB).`);
