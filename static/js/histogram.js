// The histogram of changes under the slider (square-root scaled bars, redrawn when the window
// resizes), its cursor at the day shown, and a click that jumps to the day under it.
// Reads day; writes day.

import { $ } from "./dom.js";
import { percentOfRange } from "./time.js";

const BAR_COLOR = "#6b7a90";

export function histogram(state, { replay }) {
  const canvas = $("#histogram");
  const cursor = $("#histogram-cursor");

  function draw() {
    const width = canvas.clientWidth, height = canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const buckets = Math.max(10, Math.floor(width / 3));
    const counts = replay.histogram(buckets);
    const max = Math.max(1, ...counts);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = BAR_COLOR;
    const w = width / buckets;
    counts.forEach((count, i) => {
      const h = Math.sqrt(count / max) * (height - 2);
      ctx.fillRect(i * w, height - h, Math.max(1, w - 0.5), h);
    });
  }

  function showCursor(day) {
    cursor.style.left = `${percentOfRange(day, replay.firstDay, replay.lastDay)}%`;
  }

  canvas.addEventListener("click", (event) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const fraction = (event.clientX - rect.left) / rect.width;
    state.set({ day: replay.clampDay(replay.firstDay + fraction * (replay.lastDay - replay.firstDay)) });
  });
  window.addEventListener("resize", draw);
  draw();
  showCursor(state.get().day);
  state.on("day", showCursor);
}
