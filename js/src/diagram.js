// vpclab's diagram widget (anywidget): Graphviz compiled to WebAssembly lays out the DOT source the
// kernel sends; d3-graphviz draws it and animates from the previous layout to the new one. What the
// last action changed is marked for a few seconds. Pan by dragging, zoom with the buttons or
// Ctrl + wheel, and show the diagram over the whole window or the whole screen.
//
// Everything runs in the browser: no server extension, no CDN (the WebAssembly is inlined in this
// bundle), so it works the same in JupyterLab, Notebook 7, Voila, VS Code and JupyterLite.
import { select } from "d3-selection";
import { transition } from "d3-transition";
import { easeCubicInOut } from "d3-ease";
import "d3-graphviz";
import { Graphviz } from "@hpcc-js/wasm-graphviz";

const MIN_TEXT_PX = 10.5; // the smallest text stays at least 10 CSS px tall (the rule), with a margin
const NATURAL = 4 / 3; // CSS px per Graphviz point: 100 % size
const MAX_FIT = 2; // the expanded and full-screen views enlarge a small diagram up to 150 %
const MARK_MS = 5000; // how long what changed stays marked
const TRANSITION_MS = 600;

const STYLE = `
.vpclab-diagram{position:relative;box-sizing:border-box;width:100%;max-width:100%;overflow:hidden;
  color:var(--jp-ui-font-color1,#263238);background:var(--jp-layout-color0,transparent)}
.vpclab-diagram .vpclab-toolbar{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin:0 0 4px}
.vpclab-diagram .vpclab-toolbar button{font:inherit;font-size:13px;line-height:1.4;padding:2px 10px;cursor:pointer;
  border:1px solid #90a4ae;border-radius:4px;background:var(--jp-layout-color1,#fff);color:inherit}
.vpclab-diagram .vpclab-toolbar button:focus-visible{outline:2px solid #1e88e5;outline-offset:1px}
.vpclab-diagram .vpclab-hint{font-size:12px;opacity:.8;margin-left:auto}
.vpclab-diagram .vpclab-stage{width:100%;overflow:hidden;cursor:grab;touch-action:none}
.vpclab-diagram .vpclab-stage:active{cursor:grabbing}
.vpclab-diagram .vpclab-stage svg{display:block;margin:0 auto;max-width:none}
.vpclab-diagram .vpclab-stage svg text{font-family:"Noto Sans CJK KR","Noto Sans KR","Malgun Gothic","Apple SD Gothic Neo",sans-serif}
.vpclab-diagram .vpclab-caption{font-size:14px;min-height:1.5em;margin:4px 0 0}
.vpclab-diagram .vpclab-caption:not(:empty)::before{content:"★ ";color:#e65100}
.vpclab-diagram.vpclab-expanded{position:fixed;inset:0;z-index:10000;padding:8px;overflow:auto;
  background:var(--jp-layout-color0,#fff)}
.vpclab-diagram:fullscreen{padding:8px;background:var(--jp-layout-color0,#fff);overflow:auto}
.vpclab-diagram .vpclab-changed>polygon,.vpclab-diagram .vpclab-changed>path,
.vpclab-diagram .vpclab-changed>ellipse{stroke:#e65100!important;stroke-width:4px!important;stroke-dasharray:none!important}
@keyframes vpclab-pulse{50%{opacity:.45}}
@media (prefers-reduced-motion:no-preference){.vpclab-diagram .vpclab-changed{animation:vpclab-pulse .8s ease-in-out 3}}
`;

const reducedMotion = () => globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

function ensureStyle(root) {
  const doc = root.ownerDocument ?? document;
  if (!doc.getElementById("vpclab-diagram-style")) {
    const style = doc.createElement("style");
    style.id = "vpclab-diagram-style";
    style.textContent = STYLE;
    doc.head.appendChild(style);
  }
}

// Every font size in the laid-out graph (in points), to keep the smallest readable.
function smallestFont(data, found = { min: Infinity }) {
  if (data.tag === "text" && data.attributes["font-size"]) {
    found.min = Math.min(found.min, parseFloat(data.attributes["font-size"]));
  }
  for (const child of data.children ?? []) smallestFont(child, found);
  return found.min;
}

// WebAssembly Graphviz has no font files, so it estimates text widths; where the browser's font
// runs wider than the estimate, the line is fitted to its box (squeezed a little, never smaller).
function fitTexts(stage) {
  for (const group of stage.querySelectorAll("g.node, g.cluster")) {
    const shape = group.querySelector(":scope > polygon, :scope > path, :scope > ellipse");
    if (!shape) continue;
    const room = shape.getBBox().width - 10;
    for (const text of group.querySelectorAll("text")) {
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", room);
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }
}

function button(toolbar, text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.addEventListener("click", onClick);
  toolbar.appendChild(b);
  return b;
}

function render({ model, el }) {
  ensureStyle(el);
  el.classList.add("vpclab-diagram");
  const toolbar = document.createElement("div");
  toolbar.className = "vpclab-toolbar";
  const stage = document.createElement("div");
  stage.className = "vpclab-stage";
  stage.setAttribute("role", "img");
  const caption = document.createElement("div");
  caption.className = "vpclab-caption";
  caption.setAttribute("aria-live", "polite");
  el.append(toolbar, stage, caption);

  const gv = select(stage).graphviz({ useWorker: false, fit: true, zoom: true, zoomScaleExtent: [0.25, 8] });
  let size = null; // {wPt, hPt, minPt} of the current layout
  let drawn = 0; // how many layouts have been drawn: the first one does not animate
  let markTimer = null;
  let shown = null; // the DOT source on screen (or being drawn)
  let busy = false; // a layout or transition is running: the next source waits for its end

  const expanded = () => el.classList.contains("vpclab-expanded") || document.fullscreenElement === el;

  // Points → CSS px: fit the width, but never so small that the smallest text drops under 10 px
  // (the stage then pans instead) and never larger than 100 % inline (150 % expanded).
  function factor() {
    if (!size) return NATURAL;
    const width = Math.max(stage.clientWidth, 200);
    let fit = width / size.wPt;
    if (expanded()) fit = Math.min(fit, (el.clientHeight - toolbar.offsetHeight - 48) / size.hPt);
    const floor = MIN_TEXT_PX / size.minPt;
    return Math.max(Math.min(fit, expanded() ? MAX_FIT : NATURAL), floor);
  }

  function resize() {
    if (!size) return;
    const f = factor();
    gv.width(size.wPt * f).height(size.hPt * f);
    const svg = stage.querySelector("svg");
    if (svg) svg.setAttribute("width", size.wPt * f), svg.setAttribute("height", size.hPt * f);
  }

  const times = {}; // when the last source arrived and was laid out (the benchmark reads them)
  // Says when the new picture has been painted: at the start of the next frame after the frame that
  // showed it. A transition starts inside a frame (d3's timer) with its first step applied, so one
  // frame more; a plain render happens between frames, so two (as in renderAlone below).
  function painted(kind) {
    const tell = () =>
      el.dispatchEvent(
        new CustomEvent("vpclab-diagram-painted", { bubbles: true, detail: { kind, dot: shown, ...times } }),
      );
    requestAnimationFrame(kind === "transition" ? tell : () => requestAnimationFrame(tell));
  }

  function mark() {
    clearTimeout(markTimer);
    for (const old of stage.querySelectorAll(".vpclab-changed")) old.classList.remove("vpclab-changed");
    const ids = model.get("marked") ?? [];
    for (const id of ids) stage.querySelector(`[id="${CSS.escape(id)}"]`)?.classList.add("vpclab-changed");
    if (ids.length) {
      markTimer = setTimeout(() => {
        for (const old of stage.querySelectorAll(".vpclab-changed")) old.classList.remove("vpclab-changed");
      }, MARK_MS);
    }
  }

  function draw() {
    const dot = model.get("dot");
    if (!dot || busy || dot === shown) return;
    busy = true;
    shown = dot;
    times.received = performance.now();
    const animate = drawn > 0 && !reducedMotion();
    // Shapes move and resize without being morphed point by point: tweening every outline at
    // d3-graphviz's default precision (one point) costs seconds on a 50-instance lab.
    gv.options({
      fade: animate,
      tweenPaths: animate,
      tweenShapes: false,
      tweenPrecision: "25%",
      convertEqualSidedPolygons: false,
      growEnteringEdges: animate,
    });
    gv.on("transitionStart.vpclab", animate ? () => painted("transition") : null);
    gv.dot(dot, function () {
      times.laidOut = performance.now();
      const a = this._data.attributes;
      size = { wPt: parseFloat(a.width), hPt: parseFloat(a.height), minPt: smallestFont(this._data) };
      resize();
      // Set here, after the layout, so the whole transition is seen; none for the first picture,
      // or when the reader asked for less motion. (d3-graphviz's transition(null) would make one.)
      this._transitionFactory = null;
      this._transition = animate ? transition("vpclab").duration(TRANSITION_MS).ease(easeCubicInOut) : null;
      this.render(() => {
        drawn += 1;
        busy = false;
        if (!animate) painted("render");
        fitTexts(stage);
        mark();
        draw(); // a source that arrived meanwhile

      });
    });
  }

  function zoomBy(k) {
    const behaviour = gv.zoomBehavior();
    if (behaviour) gv.zoomSelection().transition("vpclab-zoom").duration(reducedMotion() ? 0 : 200).call(behaviour.scaleBy, k);
  }

  const buttons = {
    zoom_in: button(toolbar, "+", () => zoomBy(1.25)),
    zoom_out: button(toolbar, "−", () => zoomBy(0.8)),
    fit: button(toolbar, "", () => gv.resetZoom(transition("vpclab-zoom").duration(reducedMotion() ? 0 : 200))),
    expand: button(toolbar, "", () => {
      el.classList.toggle("vpclab-expanded");
      labels();
      resize();
    }),
    fullscreen: button(toolbar, "", () => {
      if (document.fullscreenElement === el) document.exitFullscreen?.();
      else el.requestFullscreen?.().catch(() => el.classList.add("vpclab-expanded"));
    }),
  };
  const hint = document.createElement("span");
  hint.className = "vpclab-hint";
  toolbar.appendChild(hint);

  function labels() {
    const text = model.get("labels") ?? {};
    for (const [key, b] of Object.entries(buttons)) {
      const name = key === "expand" && el.classList.contains("vpclab-expanded") ? "collapse" : key;
      b.textContent = { zoom_in: "+", zoom_out: "−" }[name] ?? text[name] ?? name;
      b.title = text[name] ?? name;
      b.setAttribute("aria-label", text[name] ?? name);
    }
    hint.textContent = text.hint ?? "";
    stage.setAttribute("aria-label", model.get("reading") ?? "");
    caption.textContent = model.get("caption") ?? "";
  }

  // Scrolling the notebook over the diagram scrolls the page; Ctrl (or ⌘) + wheel zooms.
  gv.on("end.vpclab-filter", () => {
    gv.zoomBehavior()?.filter((e) => (e.type === "wheel" ? e.ctrlKey || e.metaKey : !e.button));
  });

  const observer = new ResizeObserver(() => resize());
  observer.observe(el);
  const onFullscreen = () => resize();
  document.addEventListener("fullscreenchange", onFullscreen);
  const onKey = (e) => e.key === "Escape" && el.classList.contains("vpclab-expanded") && buttons.expand.click();
  el.addEventListener("keydown", onKey);

  model.on("change:dot", draw);
  model.on("change:labels change:reading change:caption", labels);
  labels();
  draw();
  return () => {
    clearTimeout(markTimer);
    observer.disconnect();
    document.removeEventListener("fullscreenchange", onFullscreen);
    model.off("change:dot", draw);
  };
}

// The benchmark's floor: the same WebAssembly Graphviz laying out the same DOT into the same page,
// with nothing else (no kernel, no animation), timed to the same painted frame.
async function renderAlone(dot, container) {
  const graphviz = await Graphviz.load();
  const start = performance.now();
  container.innerHTML = graphviz.layout(dot, "svg", "dot");
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return performance.now() - start;
}
globalThis.vpclabDiagram = { renderAlone };

export default { render };
