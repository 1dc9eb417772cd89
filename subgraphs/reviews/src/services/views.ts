/** An organization as reviews knows it: its id (users owns the rest). */
export interface OrganizationReference {
  id: string;
}

/** An offer as the router sends it to reviews: its key, the vendor (pricing owns the rest). */
export interface OfferReference {
  vendor: OrganizationReference;
}
