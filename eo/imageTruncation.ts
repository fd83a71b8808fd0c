/**
 * Whether an image's bytes end the way a complete file of its format must: the one truncation check that the HTTP
 * connector (on an upload's last bytes) and the analyze stage (on a fetched object) both use, so that a cut-off
 * JPEG or PNG is IMAGE_TRUNCATED from its bytes at either edge, whatever the decoder's messages say on a machine.
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/tiff';

/** Bytes at the end needed to check every format's end marker. */
export const TAIL_BYTES = 16;

const PNG_IEND = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * Whether a complete file of this type would end like `tail` (its last bytes). JPEG ends with the EOI marker
 * FF D9, which cannot occur inside entropy-coded data (FF is stuffed there); a few writers pad after it, hence the
 * search in the tail. PNG ends with the fixed IEND chunk. TIFF has no end marker: its IFD is checked instead.
 */
export function hasEndMarker(type: ImageType, tail: Buffer): boolean {
  if (type === 'image/jpeg') {
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
    return false;
  }
  if (type === 'image/png') return tail.length >= PNG_IEND.length && tail.subarray(tail.length - PNG_IEND.length).equals(PNG_IEND);
  return true;
}
