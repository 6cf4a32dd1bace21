// The Open311 GeoReport v2 documents CityNerve answers with, field names as the specification spells them
// (http://wiki.open311.org/GeoReport_v2). JSON and XML are rendered from these same objects.

/** The response format, taken from the resource's file extension. */
export type Open311Format = 'json' | 'xml';

/** The language of names and notices: Chinese unless the caller asks for English. */
export type Open311Lang = 'zh-CN' | 'en';

/** Who is reading: anonymous callers get the public view, callers with a valid api_key the full one. */
export type Open311View = 'public' | 'keyed';

/** One entry of GET services: a category of the hotline taxonomy. */
export interface Open311ServiceEntry {
  /** The category code, e.g. "city.sanitation". */
  service_code: string;
  /** The category's name in the caller's language. */
  service_name: string;
  /** What to expect: how long such a report usually takes to resolve. */
  description: string;
  /** Always true: every service defines the optional `subject` attribute (see the service definition). */
  metadata: boolean;
  /** Always "realtime": a request becomes a case at once. */
  type: 'realtime';
  /** Comma-separated keywords. */
  keywords: string;
  /** The category group's name (大类) in the caller's language. */
  group: string;
}

/** GET services/{service_code}: the service definition. */
export interface Open311ServiceDefinition {
  /** The category code. */
  service_code: string;
  /** Extra form fields, sent as `attribute[<code>]`: the optional subject line. */
  attributes: Open311Attribute[];
}

/** One extra field of a service definition (GeoReport v2 attribute). */
export interface Open311Attribute {
  /** True: the client should show it as a field. */
  variable: boolean;
  /** Its name; sent as `attribute[<code>]`. */
  code: string;
  /** "string": free text on one line. */
  datatype: 'string';
  /** Whether a request must answer it. */
  required: boolean;
  /** What the text should be, e.g. its length limit. */
  datatype_description: string;
  /** Position in the form, from 1. */
  order: number;
  /** The question to show, in the caller's language. */
  description: string;
}

/** One service request (a case) as GET requests returns it. Optional keys are left out of the public view. */
export interface Open311Request {
  /** The case code, e.g. "GD-20260302-17". */
  service_request_id: string;
  /** "open" while the case is being worked on, "closed" from resolution on. */
  status: 'open' | 'closed';
  /** Keyed view: the latest note on the case; public view: a fixed label of the case's state. */
  status_notes: string | null;
  /** The category's name in the caller's language. */
  service_name: string | null;
  /** The category code. */
  service_code: string;
  /** Keyed view only: the citizen's report as written (at most 4,000 characters). */
  description?: string | null;
  /** The department or street office handling it; null before dispatch. */
  agency_responsible: string | null;
  /** Not used on listed requests. */
  service_notice: string | null;
  /** When the case was opened. */
  requested_datetime: string;
  /** Last change; for closed requests, when they were resolved or closed. */
  updated_datetime: string | null;
  /** The signing deadline while dispatched, else the resolution deadline; null when no clock runs. */
  expected_datetime: string | null;
  /** Keyed view: the address as reported; public view: only the street's name. */
  address: string | null;
  /** CityNerve has no master address register: always null. */
  address_id: string | null;
  /** Not recorded: always null. */
  zipcode: string | null;
  /** WGS84 latitude; rounded to 3 decimals (about 100 m) in the public view. */
  lat: number | null;
  /** WGS84 longitude; rounded to 3 decimals (about 100 m) in the public view. */
  long: number | null;
  /** Keyed view only: the media_url sent with the report. */
  media_url?: string | null;
}

/** POST requests: what a new report became. */
export interface Open311Created {
  /** The case code; for a repeat report, the code of the case it joined. */
  service_request_id: string;
  /** The ticket's token, for GET tokens/{token}. */
  token: string;
  /** What happens next (dispatched, waiting for a duty officer, or joined an existing case). */
  service_notice: string;
  /** Accounts are not kept: always null. */
  account_id: null;
}

/** GET tokens/{token}: the request a token belongs to. */
export interface Open311TokenEntry {
  /** The case code; null while the report has no case yet. */
  service_request_id: string | null;
  /** The token asked for. */
  token: string;
}

/** One Open311 error entry. */
export interface Open311ErrorEntry {
  /** The HTTP status. */
  code: number;
  /** What is wrong, naming the parameter. */
  description: string;
}
