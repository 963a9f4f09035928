// Builds the front-end assets into app/static/vendor (git-ignored) from pinned npm packages:
// our stylesheet (GOV.UK Frontend's Sass, only the components we use, without GOV.UK branding),
// our script bundled with only the GOV.UK components it starts, and htmx. Each file gets a
// content hash in its name (so browsers may keep it for a year) and gzip and brotli copies (which
// WhiteNoise serves); manifest.json maps each plain name to its hashed one (app/assets.py).
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "app", "static", "vendor");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });

const css = sass.compile(join(root, "app", "static", "scss", "portal.scss"), {
  style: "compressed",
  sourceMap: false,
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
}).css;
if (css.includes("GDS Transport") || css.length < 30000) {
  throw new Error("portal.css looks wrong (GOV.UK font present, or too small).");
}

const js = (
  await esbuild.build({
    entryPoints: [join(root, "app", "static", "js", "portal.mjs")],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    write: false,
    legalComments: "none",
  })
).outputFiles[0].text;

const htmx = readFileSync(join(modules, "htmx.org", "dist", "htmx.min.js"), "utf8");
const favicon = readFileSync(join(root, "app", "static", "favicon.svg"), "utf8");

const manifest = {};
for (const [name, content] of [
  ["portal.css", css],
  ["portal.js", js],
  ["htmx.min.js", htmx],
  ["favicon.svg", favicon],
]) {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const hashed = name.replace(/(\.min)?(\.[a-z]+)$/, `.${hash}$1$2`);
  const bytes = Buffer.from(content);
  writeFileSync(join(vendor, hashed), bytes);
  writeFileSync(join(vendor, `${hashed}.gz`), gzipSync(bytes, { level: 9 }));
  writeFileSync(
    join(vendor, `${hashed}.br`),
    brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  manifest[name] = hashed;
  const brotli = brotliCompressSync(bytes).length;
  console.log(`  ${hashed.padEnd(34)} ${String(Math.round(bytes.length / 1024)).padStart(4)} KiB, ${Math.round(brotli / 1024)} KiB brotli`);
}
writeFileSync(join(vendor, "manifest.json"), JSON.stringify(manifest, null, 2));

// For the accessibility tests only (tests/browser): axe-core, loaded by URL from the portal.
cpSync(join(modules, "axe-core", "axe.min.js"), join(vendor, "axe.min.js"));
console.log("Built app/static/vendor.");
