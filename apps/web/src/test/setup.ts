/**
 * Vitest setup. Component tests opt into a DOM with `// @vitest-environment jsdom`; the
 * rest run in plain Node.
 */
import { afterEach } from "vitest";

if (typeof window !== "undefined") {
  // Like a browser, resolve same-origin URLs ("/api/...") against the page's location;
  // Node's Request (used under jsdom) refuses relative URLs.
  const NativeRequest = globalThis.Request;
  class PageRequest extends NativeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, window.location.href) : input, init);
    }
  }
  globalThis.Request = PageRequest as typeof Request;

  // Radix measures and observes elements that jsdom does not lay out.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  Element.prototype.scrollIntoView ??= () => {};
  Element.prototype.hasPointerCapture ??= () => false;
  Element.prototype.releasePointerCapture ??= () => {};

  const { cleanup } = await import("@testing-library/react");
  afterEach(() => cleanup());
}
