/**
 * A 32x32 PNG (158 bytes: a skin-toned disc on blue) for the paste-ready example: small enough to
 * inline in a curl command, a real PNG so validation and the emulator accept it.
 */
export const EXAMPLE_REFERENCE_IMAGE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAMAAABEpIrGAAAABlBMVEXgtJZaeMjdPaD7AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAPklEQVQ4y2NgJAAYBpsCBijAoYABCWBTwMCAVQXxChgYsKsgWgEDAw4Vg0kB5d6kQlATjk3C6WGIpOrBqgAA8DoDB7UQ524AAAAASUVORK5CYII=';
