// TEMPORARY (issue #18 A/B runs only, removed before merge): PHOTOMAKER_AB_OFF=a,b turns leads off.
const off = new Set((process.env.PHOTOMAKER_AB_OFF ?? '').split(',').filter(Boolean));
export const abOff = (lead: string): boolean => off.has(lead) || off.has('all');
