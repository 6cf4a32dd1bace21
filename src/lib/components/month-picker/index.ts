// A month picker that speaks the page's language (a native <input type="month"> follows the browser's).
export { default as MonthPicker } from './month-picker.svelte';
export { monthChoices, shiftMonth, yearChoices } from './months';
