// The example repo's audiences (manifests/), as every emulator starts with them unless told otherwise
// (`audiences` option, `--audiences FILE`). In prod they keep the ids the example manifests were written
// with; in dev the same names have other ids (derived from sandbox and name), as in AEP, where each
// sandbox gives its audiences their own ids. One external audience shows that /audiences lists every origin.
import type { AudienceSeed } from './audiences.ts';

const PROD_IDS: Readonly<Record<string, string>> = {
  'Men over 50': '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02',
  'Gold tier members': '5a1e2b3c-7d8e-4f90-a1b2-c3d4e5f60718',
  'Platinum tier members': '6b2f3c4d-8e9f-4a01-b2c3-d4e5f6071829',
  'Newsletter subscribers': '1f8d3c2a-4b5e-4c6d-8e7f-9a0b1c2d3e4f',
  'Cart abandoners (7 days)': '0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
};

const EXPRESSIONS: Readonly<Record<string, string>> = {
  'Men over 50': 'person.gender = "male" and person.birthDate.age() > 50',
  'Gold tier members': 'loyalty.tier = "gold"',
  'Platinum tier members': 'loyalty.tier = "platinum"',
  'Newsletter subscribers': 'consents.marketing.email.val = "y"',
  'Cart abandoners (7 days)': 'chain(xEvent, timestamp, [A: WHAT(eventType = "commerce.productListAdds") WHEN(<= 7 days before now), B: WHAT(eventType = "commerce.purchases") WHEN(after A)]).count() = 0',
};

const EXTERNAL = { name: 'Store visitors (CRM upload)', description: 'Uploaded from the CRM', type: 'ExternalSegment', originName: 'CUSTOM_UPLOAD' } as const;

/** The example repo's audiences in prod and dev of each org. */
export function exampleAudiences(orgs: readonly string[]): AudienceSeed[] {
  return orgs.flatMap((orgId) =>
    ['prod', 'dev'].flatMap((sandbox) => [
      ...Object.entries(PROD_IDS).map(([name, id]) => ({
        orgId, sandbox, name, expression: EXPRESSIONS[name] ?? '', description: '',
        ...(sandbox === 'prod' ? { id } : {}),
      })),
      { orgId, sandbox, ...EXTERNAL },
    ]),
  );
}
