/** Wraps getUserMedia to hand the test the streams the behavior opens. */
export function spyOnGetUserMedia(): { opened: MediaStream[]; restore(): void } {
  const opened: MediaStream[] = [];
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    const s = await original(c);
    opened.push(s);
    return s;
  };
  return { opened, restore: () => (navigator.mediaDevices.getUserMedia = original) };
}
