// vpclab's diagram widget (anywidget): Graphviz compiled to WebAssembly lays out the DOT source the
// kernel sends, and the picture animates from the previous layout to the new one: every box that is
// in both slides from where it was to where it is now, new boxes and the lines fade in. What the last
// action changed is marked for a few seconds. Pan by dragging, zoom with the buttons or Ctrl + wheel,
// and show the diagram over the whole window or the whole screen.
//
// Everything runs in the browser: no server extension, no CDN (the WebAssembly is inlined in this
// bundle), so it works the same in JupyterLab, Notebook 7, Voila, VS Code and JupyterLite.
//
// The new picture goes into the page at once, as the bare Graphviz output would (the benchmark's
// floor, renderAlone below), and the motion is a CSS transition of transforms and opacity: the
// browser composites it, so a 50-instance lab animates as cheaply as a small one.
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import { Graphviz } from "@hpcc-js/wasm-graphviz";

const MIN_TEXT_PX = 10.5; // the smallest text stays at least 10 CSS px tall (the rule), with a margin
const NATURAL = 4 / 3; // CSS px per Graphviz point: 100 % size
const MAX_FIT = 2; // the expanded and full-screen views enlarge a small diagram up to 150 %
const MARK_MS = 5000; // how long what changed stays marked
const TRANSITION_MS = 600;
const ready = Graphviz.load(); // compiled once per page, shared by every diagram

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
.vpclab-diagram .vpclab-view{transform-origin:0 0;width:100%}
.vpclab-diagram .vpclab-stage svg{display:block;margin:0 auto;max-width:none}
.vpclab-diagram .vpclab-stage svg text{font-family:"Noto Sans CJK KR","Noto Sans KR","Malgun Gothic","Apple SD Gothic Neo",sans-serif}
.vpclab-diagram .vpclab-caption{font-size:14px;min-height:1.5em;margin:4px 0 0}
.vpclab-diagram .vpclab-caption:not(:empty)::before{content:"★ ";color:#e65100}
.vpclab-diagram .vpclab-error{color:#c62828;white-space:pre-wrap}
.vpclab-diagram.vpclab-expanded{position:fixed;inset:0;z-index:10000;padding:8px;overflow:auto;
  background:var(--jp-layout-color0,#fff)}
.vpclab-diagram:fullscreen{padding:8px;background:var(--jp-layout-color0,#fff);overflow:auto}
.vpclab-diagram .vpclab-changed polygon,.vpclab-diagram .vpclab-changed path,
.vpclab-diagram .vpclab-changed ellipse{stroke:#e65100!important;stroke-width:4px!important;stroke-dasharray:none!important}
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

// The smallest font size in the laid-out graph (in points), to keep it readable.
function smallestFont(svg) {
  let min = Infinity;
  for (const text of svg.querySelectorAll("text[font-size]")) min = Math.min(min, parseFloat(text.getAttribute("font-size")));
  return Number.isFinite(min) ? min : 10;
}

// WebAssembly Graphviz has no font files, so the kernel gives every label its width in Noto Sans CJK
// KR (vpclab/render/text_width.py). Where the browser draws with another font that runs wider still,
// the line is fitted to its box as a last resort (squeezed a little, never smaller).
function fitTexts(svg) {
  for (const group of svg.querySelectorAll("g.node, g.cluster")) {
    const shape = group.querySelector("polygon, path, ellipse"); // a tooltip wraps it in <a>
    if (!shape) continue;
    const room = shape.getBBox().width - 14;
    for (const text of group.querySelectorAll("text")) {
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", room);
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }
}

// Where each box (node or cluster, by id) sits, in the graph's own units.
function positions(svg) {
  const found = new Map();
  for (const group of svg.querySelectorAll("g.node[id], g.cluster[id]")) {
    const box = group.getBBox();
    found.set(group.id, { x: box.x, y: box.y });
  }
  return found;
}

// Start every box where it was and let it slide to where it is; new boxes and all lines fade in.
function animate(svg, before, after) {
  const moving = [];
  for (const group of svg.querySelectorAll("g.node[id], g.cluster[id], g.edge")) {
    const was = before.get(group.id);
    const now = after.get(group.id);
    if (was && now) {
      const dx = was.x - now.x;
      const dy = was.y - now.y;
      if (Math.abs(dx) < 0.5 && Math.abs(dy) < 0.5) continue;
      group.style.transform = `translate(${dx}px,${dy}px)`;
    } else {
      group.style.opacity = "0";
    }
    moving.push(group);
  }
  if (!moving.length) return;
  svg.getBoundingClientRect(); // the start positions take effect before the transition is set
  const ease = `${TRANSITION_MS}ms ease-in-out`;
  for (const group of moving) {
    group.style.transition = `transform ${ease}, opacity ${ease}`;
    group.style.transform = "";
    group.style.opacity = "";
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
  const view = document.createElement("div");
  view.className = "vpclab-view";
  stage.appendChild(view);
  const caption = document.createElement("div");
  caption.className = "vpclab-caption";
  caption.setAttribute("aria-live", "polite");
  el.append(toolbar, stage, caption);

  let size = null; // {wPt, hPt, minPt} of the current layout
  let placed = new Map(); // where the boxes of the current picture sit
  let shown = null; // the DOT source on screen (or being drawn)
  let busy = false;
  let markTimer = null;
  const times = {}; // when the last source arrived and was laid out (the benchmark reads them)

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
    const svg = view.querySelector("svg");
    if (!size || !svg) return;
    const f = factor();
    svg.setAttribute("width", size.wPt * f);
    svg.setAttribute("height", size.hPt * f);
  }

  // Says when the new picture has been painted: at the start of the frame after the one that
  // showed it (the same two frames renderAlone waits for).
  function painted(kind) {
    const detail = { kind, dot: shown, ...times };
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        el.dispatchEvent(new CustomEvent("vpclab-diagram-painted", { bubbles: true, detail }));
        const svg = view.querySelector("svg");
        // Again once the page's fonts have loaded: a late web font can run wider than the first.
        if (svg) fitTexts(svg), document.fonts?.ready.then(() => svg.isConnected && fitTexts(svg));
      }),
    );
  }

  function mark(svg) {
    clearTimeout(markTimer);
    const ids = model.get("marked") ?? [];
    for (const id of ids) svg.querySelector(`[id="${CSS.escape(id)}"]`)?.classList.add("vpclab-changed");
    if (ids.length) {
      markTimer = setTimeout(() => {
        for (const old of svg.querySelectorAll(".vpclab-changed")) old.classList.remove("vpclab-changed");
      }, MARK_MS);
    }
  }

  async function draw() {
    const dot = model.get("dot");
    if (!dot || busy || dot === shown) return;
    busy = true;
    shown = dot;
    times.received = performance.now();
    try {
      const graphviz = await ready;
      const picture = graphviz.layout(dot, "svg", "dot");
      times.laidOut = performance.now();
      view.innerHTML = picture;
      const svg = view.querySelector("svg");
      const viewBox = svg.viewBox.baseVal;
      size = { wPt: viewBox.width, hPt: viewBox.height, minPt: smallestFont(svg) };
      resize();
      const before = placed;
      placed = positions(svg);
      const moving = before.size > 0 && !reducedMotion();
      if (moving) animate(svg, before, placed);
      mark(svg);
      painted(moving ? "transition" : "render");
    } catch (error) {
      view.innerHTML = "";
      const message = document.createElement("pre");
      message.className = "vpclab-error";
      message.textContent = String(error?.message ?? error);
      view.appendChild(message);
    } finally {
      busy = false;
    }
    draw(); // a source that arrived meanwhile
  }

  // Pan by dragging; Ctrl (or ⌘) + wheel zooms, a plain wheel scrolls the notebook as usual.
  const zoomer = zoom()
    .scaleExtent([0.25, 8])
    .filter((e) => (e.type === "wheel" ? e.ctrlKey || e.metaKey : !e.button))
    .on("zoom", (e) => {
      const t = e.transform;
      view.style.transform = t.k === 1 && !t.x && !t.y ? "" : `translate(${t.x}px,${t.y}px) scale(${t.k})`;
    });
  select(stage).call(zoomer).on("dblclick.zoom", null);
  const zoomTo = (how) => select(stage).call(how);

  const buttons = {
    zoom_in: button(toolbar, "+", () => zoomTo((s) => zoomer.scaleBy(s, 1.25))),
    zoom_out: button(toolbar, "−", () => zoomTo((s) => zoomer.scaleBy(s, 0.8))),
    fit: button(toolbar, "", () => zoomTo((s) => zoomer.transform(s, zoomIdentity))),
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
  const graphviz = await ready;
  const start = performance.now();
  container.innerHTML = graphviz.layout(dot, "svg", "dot");
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return performance.now() - start;
}
globalThis.vpclabDiagram = { renderAlone };

export default { render };
