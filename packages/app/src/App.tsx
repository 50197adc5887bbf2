import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import vmware2scwPlugin from '@internal/plugin-vmware2scw';
import { navModule } from './modules/nav';

// Other plugins in this package's dependencies are discovered through `app.packages: all`.
export default createApp({
  features: [catalogPlugin, vmware2scwPlugin, navModule],
});
