// The time bar's controls: the date shown large, the slider, the date field, play/pause at the
// chosen speed, previous/next change, and the keyboard (space plays, ←/→ step between changes,
// Escape closes the place panel).
// Reads day, playing; writes day, playing, place (Escape).

import { $ } from "./dom.js";
import { isoDate, dayNumber } from "./replay.js";
import { SPEEDS, advance, isIsoDate } from "./time.js";

export function playback(state, { replay }) {
  const slider = $("#slider");
  const dateInput = $("#date-input");
  const button = $("#play");
  const speed = $("#speed");
  const goTo = (day) => state.set({ day: replay.clampDay(day) });

  slider.min = String(replay.firstDay);
  slider.max = String(replay.lastDay);
  slider.addEventListener("input", () => goTo(Number(slider.value)));
  dateInput.min = isoDate(replay.firstDay);
  dateInput.max = isoDate(replay.lastDay);
  const jump = () => {
    if (isIsoDate(dateInput.value)) goTo(dayNumber(dateInput.value));
  };
  dateInput.addEventListener("change", jump);
  dateInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") jump();
  });

  const step = (direction) => {
    const day = state.get().day;
    const target = direction > 0 ? replay.nextChangeDay(day) : replay.previousChangeDay(day);
    if (target !== null) goTo(target);
  };
  const togglePlay = () => state.set({ playing: !state.get().playing });
  button.addEventListener("click", togglePlay);
  $("#prev-change").addEventListener("click", () => step(-1));
  $("#next-change").addEventListener("click", () => step(1));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
    if (event.key === " ") {
      event.preventDefault();
      togglePlay();
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      step(1);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      step(-1);
    } else if (event.key === "Escape") state.set({ place: null });
  });

  // Play: one animation frame loop at a time (pausing cancels the frame already asked for).
  let request = null;
  let lastTick = 0;
  let carry = 0;
  function tick(now) {
    request = requestAnimationFrame(tick);
    const moved = advance(carry, now - lastTick, SPEEDS[speed.value] || SPEEDS.week);
    carry = moved.carry;
    lastTick = now;
    if (moved.days >= 1) {
      goTo(state.get().day + moved.days);
      if (state.get().day >= replay.lastDay) state.set({ playing: false });
    }
  }

  function showDay(day) {
    $("#current-date").textContent = isoDate(day);
    dateInput.value = isoDate(day);
    if (slider.value !== String(day)) slider.value = String(day); // not under a dragging thumb
  }

  function showPlaying(playing) {
    button.setAttribute("aria-pressed", String(playing));
    button.textContent = playing ? "❚❚" : "▶";
    button.setAttribute("aria-label", playing ? "Pause" : "Play");
    cancelAnimationFrame(request);
    request = null;
    if (!playing) return;
    if (state.get().day >= replay.lastDay) goTo(replay.firstDay);
    lastTick = performance.now();
    carry = 0;
    request = requestAnimationFrame(tick);
  }

  showDay(state.get().day);
  showPlaying(state.get().playing);
  state.on("day", showDay);
  state.on("playing", showPlaying);
}
