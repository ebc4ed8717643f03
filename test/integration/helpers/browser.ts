// Chromium is launched one way everywhere (bench/chromium.ts): tests, the dashboard benchmark, the screenshot.
export { CHROMIUM, launchChromium } from '../../../bench/chromium.js';
