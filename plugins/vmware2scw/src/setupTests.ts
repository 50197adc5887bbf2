import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI shares two cores with other work: give findBy/waitFor time before calling a render missing.
configure({ asyncUtilTimeout: 5000 });
