// Copies the pinned front-end packages from node_modules into the Go
// package that embeds them. With --check it only compares, and fails if the
// embedded copies differ from what package-lock.json installs.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "internal", "platform", "web", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
  "leaflet/dist/leaflet.js": "leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet.css",
  "leaflet/dist/images/marker-icon.png": "images/marker-icon.png",
  "leaflet/dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
  "leaflet/dist/images/marker-shadow.png": "images/marker-shadow.png",
  "leaflet/dist/images/layers.png": "images/layers.png",
  "leaflet/dist/images/layers-2x.png": "images/layers-2x.png",
  "leaflet.markercluster/dist/leaflet.markercluster-global.js": "leaflet.markercluster-global.js",
  "leaflet.markercluster/dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
  "leaflet.heat/dist/leaflet-heat-global.js": "leaflet-heat-global.js",
  "jsqr/dist/jsQR.js": "jsQR.js",
};
const check = process.argv.includes("--check");
let stale = 0;
for (const [from, to] of Object.entries(files)) {
  const src = readFileSync(join(here, "node_modules", from));
  const dst = join(out, to);
  if (check) {
    if (!existsSync(dst) || !readFileSync(dst).equals(src)) {
      console.error(`stale: ${to} differs from node_modules/${from}`);
      stale++;
    }
    continue;
  }
  mkdirSync(dirname(dst), { recursive: true });
  writeFileSync(dst, src);
  console.log(`${from} -> ${to}`);
}
if (stale) process.exit(1);
