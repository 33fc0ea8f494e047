import { createTRPCRouter } from "../../trpc";
import { featureCreate } from "./feature-create";
import { featureList } from "./feature-list";
import { meterCreate } from "./meter-create";
import { meterList } from "./meter-list";
import { planCreate } from "./plan-create";
import { planList } from "./plan-list";
import { planListView } from "./plan-list-view";
import { planSimulationGet } from "./plan-simulation-get";
import { planSimulationList } from "./plan-simulation-list";
import { planSimulationResults } from "./plan-simulation-results";
import { planSimulationStart } from "./plan-simulation-start";
import { planVersions } from "./plan-versions";
import { planVersionArchive } from "./plan-version-archive";
import { planVersionCreate } from "./plan-version-create";
import { planVersionGet } from "./plan-version-get";
import { planVersionPublish } from "./plan-version-publish";
import { planVersionUpdateDraft } from "./plan-version-update-draft";
import { pricePreview } from "./price-preview";
import { productCreate } from "./product-create";
import { productList } from "./product-list";

/** `catalog.planVersion.publish`, ...: resource, then verb. Mount as `catalog` in src/server/api/root.ts. */
export const catalogRouter = createTRPCRouter({
  product: createTRPCRouter({ list: productList, create: productCreate }),
  meter: createTRPCRouter({ list: meterList, create: meterCreate }),
  feature: createTRPCRouter({ list: featureList, create: featureCreate }),
  price: createTRPCRouter({ preview: pricePreview }),
  plan: createTRPCRouter({ list: planList, listView: planListView, create: planCreate, versions: planVersions }),
  planVersion: createTRPCRouter({
    get: planVersionGet,
    create: planVersionCreate,
    updateDraft: planVersionUpdateDraft,
    publish: planVersionPublish,
    archive: planVersionArchive,
    simulation: createTRPCRouter({ start: planSimulationStart, get: planSimulationGet, list: planSimulationList, results: planSimulationResults }),
  }),
});
