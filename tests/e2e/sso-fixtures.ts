/** The demo school's disabled sign-in provider (seed-extras), for the authorisation matrix. */
export const SSO_DEMO_PROVIDER_ID = 2101;
