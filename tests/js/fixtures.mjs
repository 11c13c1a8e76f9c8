// A small timeline in the API's compact form (docs/api.md), for the node tests of the map.
//
// Theater 2020-01-01 .. 2020-12-31. Groups: 1 Red (red), 2 Blue (blue), 3 Green (never holds).
// Places: 0 alpha, 1 bravo, 2 charlie (never changes).
// Changes, in date order:
//   2020-01-10 alpha   controlled by Red            (id 100)
//   2020-02-01 bravo   contested, Red held, Blue challenging (id 101)
//   2020-02-01 alpha   besieged, Red held, Blue challenging  (id 102)
//   2020-03-15 alpha   controlled by Blue           (id 103)
//   2020-06-30 bravo   controlled by Blue           (id 104)
export function timeline() {
  return {
    format: 2,
    theater: { id: 7, slug: "test-theater", name: "Test", start: "2020-01-01", end: "2020-12-31", bounds: [30, 20, 50, 40] },
    epoch: "2020-01-01",
    status_codes: { 0: "controlled", 1: "contested", 2: "besieged" },
    groups: [
      { id: 1, slug: "red", name: "Red Army", short_name: "Red", color: "#ff0000", aliases: [] },
      { id: 2, slug: "blue", name: "Blue Front", short_name: "", color: "#0000ff", aliases: [] },
      { id: 3, slug: "green", name: "Green League", short_name: "Green", color: "#00ff00", aliases: [] },
    ],
    places: {
      id: [11, 12, 13],
      slug: ["alpha", "bravo", "charlie"],
      name: ["Alpha", "Bravo", "Charlie"],
      kind: ["town", "border_crossing", "oil_field"],
      importance: [3, 2, 1],
      population: [null, 9000, 120],
      lon: [40, 41, 42],
      lat: [30, 31, 32],
    },
    changes: {
      count: 5,
      // 2020-01-10 is epoch + 9; 2020-02-01 + 22; again 0; 2020-03-15 + 43; 2020-06-30 + 107
      day_delta: [9, 22, 0, 43, 107],
      // place ids (alpha 11, bravo 12) and change ids, as running sums
      place_delta: [11, 1, -1, 0, 1],
      status: [0, 1, 2, 0, 0],
      controller: [1, 1, 1, 2, 2],
      challengers: [[], [2], [2], [], []],
      id_delta: [100, 1, 1, 1, 1],
      doubt: [0, 0, 0, 1, 2], // 2020-03-15 dated to the month; 2020-06-30 only claimed
    },
  };
}
