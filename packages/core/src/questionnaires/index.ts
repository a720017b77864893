export { CHECK_IN_BASE, CHECK_IN_SYSTEM, CHECK_IN_SEVERITY_SYSTEM, CHECK_IN_CONCERN_SYSTEM, REVIEW_CHECK_IN, FREQUENCY_ANSWERS } from './codes.js';
export * from './instrument.js';
export { PHQ9, PHQ9_SELF_HARM } from './phq-9.js';
export { GAD7 } from './gad-7.js';
export { SYMPTOM_CHECK } from './symptom-check.js';
export * from './scoring.js';
export * from './plans.js';
