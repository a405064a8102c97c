"""Builds the requests WeChat's servers send to our webhook, really signed (and, in safe mode,
really encrypted with wechatpy's crypto), and reads the replies."""
from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

import xmltodict
from wechatpy.crypto import WeChatCrypto

TOKEN = "gongkai-test-token"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as in the console
ACCOUNT = "gh_0123456789ab"

_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


def new_openid() -> str:
    return "o" + uuid.uuid4().hex[:27]  # 28 characters, like WeChat's openids


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


@dataclass
class WeChatClient:
    token: str = TOKEN
    app_id: str = APP_ID
    aes_key: str = AES_KEY
    account: str = ACCOUNT
    clock_offset: float = 0.0
    _nonces: itertools.count = field(default_factory=lambda: itertools.count(1000))

    # --- message bodies (the plaintext XML WeChat pushes) --------------------------------

    def text(self, openid: str, content: str, msg_id: Optional[int] = None) -> str:
        return self._xml(openid, "text", f"<Content><![CDATA[{content}]]></Content>"
                                         f"<MsgId>{msg_id or next(_msg_ids)}</MsgId>")

    def voice(self, openid: str, recognition: str, msg_id: Optional[int] = None) -> str:
        return self._xml(openid, "voice", "<MediaId><![CDATA[media-1]]></MediaId>"
                                          "<Format><![CDATA[amr]]></Format>"
                                          f"<Recognition><![CDATA[{recognition}]]></Recognition>"
                                          f"<MsgId>{msg_id or next(_msg_ids)}</MsgId>")

    def image(self, openid: str, msg_id: Optional[int] = None) -> str:
        return self._xml(openid, "image", "<PicUrl><![CDATA[http://mmbiz.example/1.jpg]]></PicUrl>"
                                          "<MediaId><![CDATA[media-2]]></MediaId>"
                                          f"<MsgId>{msg_id or next(_msg_ids)}</MsgId>")

    def event(self, openid: str, event: str, key: str = "", create_time: Optional[int] = None
              ) -> str:
        extra = f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
        return self._xml(openid, "event", extra, create_time)

    def _xml(self, openid: str, msg_type: str, extra: str, create_time: Optional[int] = None
             ) -> str:
        return (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
                f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
                f"<MsgType><![CDATA[{msg_type}]]></MsgType>{extra}</xml>")

    # --- signing ----------------------------------------------------------------------------

    def query(self, timestamp: Optional[int] = None, nonce: Optional[str] = None,
              openid: str = "") -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time() + self.clock_offset))
        nonce = nonce or str(next(self._nonces))
        query = {"signature": sha1_signature(self.token, ts, nonce), "timestamp": ts,
                 "nonce": nonce}
        if openid:
            query["openid"] = openid
        return query

    def plain(self, xml, **kwargs) -> tuple[dict[str, str], bytes]:
        return self.query(**kwargs), xml if isinstance(xml, bytes) else xml.encode("utf-8")

    def safe(self, xml: str, **kwargs) -> tuple[dict[str, str], bytes]:
        """Safe mode: the message inside <Encrypt>, msg_signature in the URL."""
        query = self.query(**kwargs)
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = xmltodict.parse(crypto.encrypt_message(xml, query["nonce"],
                                                          query["timestamp"]))["xml"]
        query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        body = (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        return query, body.encode("utf-8")

    # --- replies ----------------------------------------------------------------------------

    def read_reply(self, body: str, query: Optional[dict[str, str]] = None) -> dict:
        """A passive reply's fields; decrypted (checking its signature) if it is encrypted."""
        fields = xmltodict.parse(body)["xml"]
        if "Encrypt" in fields:
            crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
            inner = crypto.decrypt_message(body, fields["MsgSignature"], fields["TimeStamp"],
                                           fields["Nonce"])
            fields = xmltodict.parse(inner)["xml"]
        return fields
