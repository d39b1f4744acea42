"""Independent computation of the SRTP cross-check vectors used by SrtpCrossCheckTests.

Runs on pyca/cryptography (OpenSSL's AES-CTR, AES-GCM) and Python's hmac/hashlib, none of
which share code with the C# implementation. Every step is written from the RFC text:
  KDF           RFC 3711 §4.3.1/§4.3.3 (kdr = 0); AEAD 96-bit master salt zero-padded, RFC 7714 §11
  AES-CM IV     RFC 3711 §4.1.1: (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
  HMAC tag      RFC 3711 §4.2: HMAC-SHA1(k_a, header || ciphertext || ROC)[:10]
  SRTCP (CM)    RFC 3711 §3.4: header || E(payload) || E=1|index || tag over all before it
  GCM IV        RFC 7714 §8.1: (00 00 || SSRC || ROC || SEQ) XOR salt, AAD = RTP header
Run: python3 srtp_crosscheck.py
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

h = bytes.fromhex


def keystream(key, iv, n):
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(bytes(n))


def kdf(master_key, master_salt, label, n):
    x = bytearray(master_salt.ljust(14, b"\0"))
    x[7] ^= label
    return keystream(master_key, bytes(x) + b"\0\0", n)


def xor(a, b):
    return bytes(p ^ q for p, q in zip(a, b))


def cm_iv(salt, ssrc, index):
    iv = bytearray(salt + b"\0\0")
    for i, b in enumerate(ssrc.to_bytes(4, "big")):
        iv[4 + i] ^= b
    for i, b in enumerate(index.to_bytes(6, "big")):
        iv[8 + i] ^= b
    return bytes(iv)


def header_length(packet):
    n = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:
        n += 4 + 4 * int.from_bytes(packet[n + 2:n + 4], "big")
    return n


def cm_rtp(mk, ms, packet, roc):
    key, salt, auth = kdf(mk, ms, 0, 16), kdf(mk, ms, 2, 14), kdf(mk, ms, 1, 20)
    hl = header_length(packet)
    ssrc = int.from_bytes(packet[8:12], "big")
    index = (roc << 16) | int.from_bytes(packet[2:4], "big")
    body = packet[:hl] + xor(packet[hl:], keystream(key, cm_iv(salt, ssrc, index), len(packet) - hl))
    return body + hmac.new(auth, body + roc.to_bytes(4, "big"), hashlib.sha1).digest()[:10]


def gcm_rtp(mk, ms, packet, roc):
    key, salt = kdf(mk, ms, 0, 16), kdf(mk, ms, 2, 12)
    hl = header_length(packet)
    iv = bytearray(12)
    iv[2:6] = packet[8:12]
    iv[6:10] = roc.to_bytes(4, "big")
    iv[10:12] = packet[2:4]
    return packet[:hl] + AESGCM(key).encrypt(xor(iv, salt), packet[hl:], packet[:hl])


CM_KEY, CM_SALT = h("E1F97A0D3E018BE0D64FA32C06DE4139"), h("0EC675AD498AFEEBB6960B3AABE6")
GCM_KEY, GCM_SALT = h("000102030405060708090a0b0c0d0e0f"), h("517569642070726f2071756f")

# V=2 X=1 CC=2, M=1 PT=96, seq 0x1234, ts 0xdecafbad, SSRC 0xcafebabe, CSRCs 0x11111111 and
# 0x22222222, one-byte extension block 0xBEDE of one word, then 20 payload bytes 0x00..0x13.
RICH = h("b2e01234decafbadcafebabe1111111122222222bede000110aabbcc") + bytes(range(20))
# Plain header, seq 0x0002: protected after seq 0xffff, so the sender is in ROC 1.
WRAPPED = h("80600002decafbadcafebabe") + bytes(range(16))

print("cm rich   ", cm_rtp(CM_KEY, CM_SALT, RICH, 0).hex())
print("cm roc1   ", cm_rtp(CM_KEY, CM_SALT, WRAPPED, 1).hex())
print("gcm rich  ", gcm_rtp(GCM_KEY, GCM_SALT, RICH, 0).hex())
print("gcm roc1  ", gcm_rtp(GCM_KEY, GCM_SALT, WRAPPED, 1).hex())
