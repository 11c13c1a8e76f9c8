// DOM helpers. Every text from the database (names, aliases, summaries, source titles) goes in
// through textContent, never as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector) {
  return document.querySelector(selector);
}

export function swatch(color) {
  return el("span", { class: "swatch", style: { background: color }, "aria-hidden": "true" });
}

// `preloaded`: the page has <link rel="preload" as="fetch"> for this URL; the request must
// then look exactly like the preload (no extra headers) for the browser to reuse it.
export async function getJSON(url, { preloaded = false } = {}) {
  const response = await fetch(url, preloaded ? {} : { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
