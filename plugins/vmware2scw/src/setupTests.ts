import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI shares two cores with other work: give findBy/waitFor time before calling a render missing.
configure({ asyncUtilTimeout: 5000 });
// Whole pages (tables, the YAML editor) render in seconds there, not milliseconds.
jest.setTimeout(60_000);
