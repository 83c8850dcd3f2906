// One-off: make sources/reference/county_shapes.topojson (Missouri's 115 county-equivalents).
//
// Source: the npm package `us-atlas` (counties-10m.json), public-domain U.S. Census Bureau
// cartographic boundary geometry. Keeps only ids starting with "29" (Missouri), re-builds a
// standalone topology, simplifies lightly and quantizes it so the file stays small.
//
//   npm install --prefix /tmp/geo us-atlas topojson-client topojson-server topojson-simplify
//   NODE_PATH=/tmp/geo/node_modules node sources/reference/build_county_shapes.mjs
//
// Never commit node_modules: only this script and its output.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const modules = process.env.GEO_MODULES || "/tmp/geo/node_modules";
const require = createRequire(join(modules, "noop.js"));
const { feature } = require("topojson-client");
const { topology } = require("topojson-server");
const { presimplify, simplify, quantile } = require("topojson-simplify");
const { quantize } = require("topojson-client");

const STATE_PREFIX = process.env.STATE_FIPS || "29";
const atlas = require("us-atlas/counties-10m.json");
const version = require("us-atlas/package.json").version;

const all = feature(atlas, atlas.objects.counties);
const kept = {
  type: "FeatureCollection",
  features: all.features
    .filter((f) => String(f.id).startsWith(STATE_PREFIX))
    .map((f) => ({ type: "Feature", id: String(f.id), properties: { name: f.properties.name }, geometry: f.geometry })),
};
if (kept.features.length !== 115) throw new Error(`expected 115 county-equivalents, got ${kept.features.length}`);

let topo = topology({ counties: kept }, 1e5);
topo = presimplify(topo);
topo = simplify(topo, quantile(topo, 0.15));
topo = quantize(topo, 1e4);
topo.source = `us-atlas@${version} counties-10m.json (U.S. Census Bureau, public domain), state FIPS ${STATE_PREFIX}`;

const out = join(dirname(fileURLToPath(import.meta.url)), "county_shapes.topojson");
const text = JSON.stringify(topo);
writeFileSync(out, text);
console.log(`wrote ${out}: ${kept.features.length} counties, ${text.length} bytes`);
