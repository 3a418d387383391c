import { OadrError } from '@oadr-kit/protocol';
import { SECURITY_ERROR_ANSWERS, SecurityError, SecurityErrorCode } from '../src/index.js';

describe('SecurityError', () => {
  test('every code has an answer, 463 for identity and signature failures', () => {
    for (const code of Object.values(SecurityErrorCode)) {
      expect(code).toMatch(/^OADR_ERR_SEC_[A-Z_]+$/);
      const error = new SecurityError(code, 'x');
      expect(error.responseCode).toBe(SECURITY_ERROR_ANSWERS[code].responseCode);
      expect(error.httpStatus).toBe(SECURITY_ERROR_ANSWERS[code].httpStatus);
      expect(error.responseCode).toBe(code === SecurityErrorCode.XML_MALFORMED ? '454' : '463');
    }
  });

  test('is an OadrError with its code, name and cause', () => {
    const cause = new Error('underlying');
    const error = new SecurityError(SecurityErrorCode.REPLAY, 'seen before', { cause });
    expect(error).toBeInstanceOf(OadrError);
    expect(error).toBeInstanceOf(SecurityError);
    expect(error).toMatchObject({ name: 'SecurityError', code: 'OADR_ERR_SEC_REPLAY', message: 'seen before', cause });
  });
});
