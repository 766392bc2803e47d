from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "complaint" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "number" VARCHAR(24) NOT NULL UNIQUE,
    "channel" VARCHAR(16) NOT NULL,
    "contact" VARCHAR(64),
    "content" TEXT NOT NULL,
    "desired_outcome" VARCHAR(200),
    "category" VARCHAR(16) NOT NULL,
    "cause" TEXT,
    "solution" TEXT,
    "matter" VARCHAR(64) NOT NULL,
    "topic" VARCHAR(64),
    "severity" VARCHAR(8) NOT NULL,
    "major_reasons" JSONB NOT NULL,
    "serious" BOOL NOT NULL,
    "step" VARCHAR(16) NOT NULL,
    "step_due_at" TIMESTAMPTZ,
    "escalated_to" VARCHAR(16),
    "reply_by" TIMESTAMPTZ NOT NULL,
    "close_reason" TEXT,
    "source_key" VARCHAR(160) UNIQUE,
    "open_key" VARCHAR(120) UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "resolved_at" TIMESTAMPTZ,
    "closed_at" TIMESTAMPTZ,
    "accused_agent_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL,
    "conversation_id" INT REFERENCES "conversation" ("id") ON DELETE SET NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "order_id" INT REFERENCES "shop_order" ("id") ON DELETE SET NULL,
    "owner_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL
);
COMMENT ON COLUMN "complaint"."number" IS 'TS<YYYYMMDD><NNNN>, shop-local date';
COMMENT ON COLUMN "complaint"."contact" IS 'phone or how to reach the customer';
COMMENT ON COLUMN "complaint"."content" IS 'what happened, in the customer''s words';
COMMENT ON COLUMN "complaint"."desired_outcome" IS '想要得到的解决结果';
COMMENT ON COLUMN "complaint"."category" IS 'product, service, logistics, price, other';
COMMENT ON COLUMN "complaint"."cause" IS 'found during investigation';
COMMENT ON COLUMN "complaint"."solution" IS 'what the supervisor approved';
COMMENT ON COLUMN "complaint"."matter" IS 'what it is about: the order number, else the category';
COMMENT ON COLUMN "complaint"."topic" IS 'what several customers share: sku:<product>';
COMMENT ON COLUMN "complaint"."severity" IS 'normal, major';
COMMENT ON COLUMN "complaint"."major_reasons" IS 'media, platform, repeat, protest, return, collective, staff';
COMMENT ON COLUMN "complaint"."serious" IS 'the accused agent''s third service complaint in a month';
COMMENT ON COLUMN "complaint"."escalated_to" IS 'role the overdue step went up to';
COMMENT ON COLUMN "complaint"."reply_by" IS 'when the customer was promised to hear back';
COMMENT ON COLUMN "complaint"."resolved_at" IS 'the customer accepted the solution';
        CREATE TABLE IF NOT EXISTS "complaint_step" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "action" VARCHAR(16) NOT NULL,
    "from_step" VARCHAR(16),
    "to_step" VARCHAR(16),
    "actor" VARCHAR(48) NOT NULL,
    "note" TEXT NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "complaint_id" INT NOT NULL REFERENCES "complaint" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "complaint_step"."actor" IS 'customer:<id>, agent:<id>, system';
        CREATE TABLE IF NOT EXISTS "complaint_task" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "due_at" TIMESTAMPTZ NOT NULL,
    "done_at" TIMESTAMPTZ,
    "note" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "complaint_id" INT NOT NULL REFERENCES "complaint" ("id") ON DELETE CASCADE,
    "done_by_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL,
    CONSTRAINT "uid_complaint_t_complai_5eda61" UNIQUE ("complaint_id", "kind")
);
COMMENT ON COLUMN "complaint_task"."kind" IS 'legal, feedback';
COMMENT ON TABLE "complaint_task" IS 'Work a complaint owes by a deadline: the legal warning (法务预警报备) and the result feedback.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "complaint";
        DROP TABLE IF EXISTS "complaint_step";
        DROP TABLE IF EXISTS "complaint_task";"""


MODELS_STATE = (
    "eJztXetz2za2/1cw+tJ0Rs3IsuVHmsmMnbq72U3i3sTZ7t26o4FISEJNESwBWvHt5n+/AF"
    "/iUyYoUgJp9ENqkzg0+Tt4nPf5a7AiJrLoy7ceZWSF3MEr8NfAhivEf8jdG4IBdJzNHXGB"
    "wZnlDzaSo2aUudBg/PocWhTxSyaihosdhonNr9qeZYmLxOADsb3YXPJs/KeHpowsEFv67/"
    "PbbwNjCW0bWeLR6CtDrg2tKTYHv//OL2DbRF8RFQPFr879dI6RZaY+hI/lt/zrU/bo+Nfe"
    "2exnf6B4j9nUIJa3sjeDnUe2JHY8GttMXF0gG7mQIfF45nriw8R7hxhE3xp8w2ZI8IoJGh"
    "PNoWexBBCz6ebaYDr9eHM7/Xx9O50OJKAziC1g569K/a9fiFf4YXx0cnZyfnx6cs6H+K8Z"
    "Xzn7FvzpDTABoQ/Px9vBN/8+ZDAY4WO8ATXBlDSyb5fQLYY2QZLBl794Ft8IzW0ARxc2CG"
    "/m2z4gXsGvUwvZC7bkvx6dbsHzX5ef3v798tOLo9PvxR8kfHkE6+ZjeGfs3xKQbyBOTnYJ"
    "mDNkKkM9IA6ysQmIC9Zo9gOfIAw8YIoZvxC8vTQXxudV2DA+L+eDuJdmhP9/CQ5E42tBH2"
    "4Sak7y05MK6J6elIIrbqWxdThCUuDGBP1D93hcAd3jcSm64lYaXUynD9jJw3tFiIWgXXIE"
    "xkQZiGecqq3NI77SAspbUL26uXkvnryi9E/Lv/DuNgPvlw9X13zL8FHngzBDyRNygzVxOC"
    "JT4jFJuFN0aiM+uPMuRqPRnXc+g2OONgEr6N4jxsEHjkeXiFbbs/fDEMNFArIpLODIT/wO"
    "wytUIqmkKDM8MUPSl9EP6pynTayI23cfrj/fXn74JcWFny5vr8WdsX/1MXP1RVasiR8Cfn"
    "13+3cgfgX/ufl47cNJKFu4/l/cjLv9z0C8E/QYmdpkPYVmEpPocnQpxWYLUjbF9ox4dh1e"
    "F5A3wPD9nDO+/ETBr4gfl+w7Ck7OwRK4yLEewZr/JQ7Y85wNkHOHFYrNpXpfju5pFfBwbF"
    "8vCaDIfUAm4GryCoiXBy/uvBMkNueL0RG88ybG8dGdd3o2MvnPY3gk/j3mdyfoYvJ9RdG6"
    "AR1SaOXz+4QKKS7MoHG/hq45Td1J7NzEfkAuheJ7acFxGpL//M9PyPIHFTAsMl8kHtXdjX"
    "pzNZxkacnDNfkn7obTjXiGMjO8WXwYXOw6i0Lz1i1c9HUSBfLb1EUGwnxj2Q2vX/jDPiED"
    "OxhV2jc7iZiL5sh1+WtNV9As0GFlAPsUPqvvWE0NDsiOizHC6i0f33u8XPQHMho4Bz9Fz+"
    "npHp8AbN3EFBMjr23mPvZ1hhmQoh1Rupwz5H6GFqJv+cOUmVi+eDzHFpeOMfvRfwBYL5Ed"
    "Xps9CqEZmBBzNekPMpPSkZ7AlKwcKyDZUWgNn9OnyScEfzImZapA+lZ2YSNzOnssB/XGRr"
    "eE/9PoQduVbVDAuBqvMsCuoM3VWTN8nCAu0oiKHL4ZjWmL0zc7slHHr3bvaveuOr6Z5t27"
    "96hgQyuHNxzeDLRtzN3B63AGvHn12qNIeHDf1HLhno4qQT3agvUoCzZlkHkFp3I53huK/c"
    "3mwYywQUenM38rGBy+XASHNDgRKscsFBH3z8HbvPs8BK6WlytL2xm3x7N0czkuJi5mBWdG"
    "qbCTJKnlzqi1iY0kjw3+ZA8B34b9Cvzr3S+U62kuZUOhpdnBz4ArVmh/Posk7P7b1VldKU"
    "K9tFReWpBSvLBrcTlDqvmsMp/9vWTq+8drsDpPrbmtMrfXEIvApCnFtlHgndnO7Byx5rXK"
    "vPZsaNzzXbgWr3PEmtcq89pBLlcQa2zgKULNY5V5bEGHCqFKxGMVWG3+8fnmY1kYV4Ywy2"
    "dsMPBfYGHamv4zeD33bN/VCmYetvgxQl+Kv/dG0rIzCD4CCG+WhRjA/GfDIsY98D9Sym1V"
    "NCkEiKn5ENkZXny4/HfWBPH2/c1VltHiAVcZdWlJLNM/N8O4j4qaapZMXW01fFOwQpRyBl"
    "EgXhlgm2urmIIltE3yEARS7V9XFdGgtbSYFKEOd1Z6aww1TiQX3pqhUji4dc8usITLK4zx"
    "kwM2Q7W/jUtxZHNxv3mg8yj/TFzEp+k/0aMP9jv+VrBYJi9ITu4YyGXufH7ZhevYz52dYB"
    "wD/uUoyHl5e/n57eVP14PCDaIBeC8X1cI3FdsZqkKb2RSLoa0Srx4JA3nIZaJ+PgRP6dFc"
    "TmfRErYrQn8PxauP/FF9hclCczZtZkK954/q+aSiFpyih2ItUQaqzxa8fuhxrPohIhM7ci"
    "rIBSZKBttFy68gzi6xMstD7FaJQU2XVclE75nY3USIU+K5BtJlVnQc3sHXbduBS6l5XxXk"
    "FJHKMPPHifIqYXkB6YoUVQpSlNejyIU88m+TQTkav8cIPIa+7ikEb1wlGGxcHgw2zgWDRe"
    "+ehveWXy2GNxq/R3jbgnabhe/637fb7dyxge/9zce/RcOzxu9MPGl8PkpM5xRRS9GNTQTy"
    "cgmPzYm7iozcKtVigh6HrcB0VI76hmKP8zxp45KBPqIbghlhQ+C7gF69rhlJ3UI9IZsVOn"
    "bK0d9Q9C+ct3l8+Z+bYxMVBjH8bBFYZoROkWWAngu67kG9Bdqfbr5cvb8Gv3y6fvvu87vQ"
    "ixk7afybvg4T1wb6dH35XhcHeo7eMq5QY67lPk7lE0AKSPd4gCTrMMgcIBHdEDjIFp7qoe"
    "+hHgLPDj/If606x3njmtccYstzUY18kTxl/06XVsQnMRdq7HkJMh04pfJ+lzTqSTqy85Ta"
    "mV3BmZ2xou7q0O5nuaph1qmdn2yy3tc2rfZBMawCm31cJavcYk+XxJmSeJxOie/SQh9uMc"
    "X7POUbr4yckqRRN3O7poByUiVP+6Q8Tfskl6U98x4FXJLlttNU/RMEn0HR7cNN4hZsZAyt"
    "pGLWY4IOx6r/9he994ZAYDAEf7JHrn662EDTObK//V5N29x3qDojDFriBfO8usKL0uMyRa"
    "ZsnLrsqXkxHh8fn41Hx6fnk5Ozs8n5KD4+87e2naNX7/4mjtIUS/Kxti6aC3uEKQ9/llJz"
    "oB4HOlIQxYFY1gSmTGCBePc6aWobMm1rUdnWQpfYcWq5ENKUmssqczkyqNdgc4ZU81llPh"
    "vEc3FRUsqWSLsNSf+0zuYVI2EIuxdZnnI2lAxZ/5BuXr+PISsLjS9XRgtIO62WQjYEgeQq"
    "bMnE4gNYUFRKTa3UPzMcNjU9VPfESVF35tDxd+cVZNgA4VcAP6zFXW0i1J/VgRTxUvRz9D"
    "Xe+tMh84juzAnRrmZ+euddTM7md97p5Jj/fG6Oz8QUEbb1inGJfZoWQRCplOIeU+xRcccr"
    "h7iykdQh1RAg1xkCE61INf62rcl7jlkzWCxNqYPFlF5ah6sAoJp82scCAIph3Gj+f5Uk9U"
    "M0/FB0t9K5sirmygbVJgqibuIyFOVRNzAeogNuunRKDEF5wM1e267vBdqBRRbYDr3kIjPG"
    "tYNONIc3GZmY8s3qUTr4JkunsHmOa5Onp8eTO+/sYj4C0bkqKrjViodv3kDqEksK+2j8Ht"
    "W6eJ/tpkOW0jXhx9QS0qUM0DlClTO+a8I9nkyq5CNPJuUJyeJeJlvTwfw8vUdcaMULRKUy"
    "B4toG9ldFAqhbH4fN6ADDbk2EUmS/YXTTCQ37xXx+0AkGkODJf8aABkgoYq4/5qBjotocb"
    "bmls0kQbPHnZvM5xYOgji7uHfrfM1S6PtkghOd7KdcIKtT3ztL2xk3x7PhdM4mWMluldzz"
    "d7XISGVXqcl9XWWxm3UDuziboOO4RESw9bdbdMO2Y42TpI19Chf8/0Wq4XO3tZfgRdY2Kj"
    "A3a7QK0JoySO+bcuPc8mf1CLA2XTkpEaLAo5MVMcodO1FHjakdDX3KwTO4804QPLnzTo/h"
    "5M47n81Gd95kPpm8AqLPBeBcoYH9gD86qpIC/CS8IaBLvrwAI6L5JLDRVxaU4ALE9q8kZd"
    "GXWZPDXv+wdlap5awSHJ7GHM4DXF6FMU+p6zFK12MMV5MM7gkSDbg04NoeV4sVXbDS5Mtt"
    "SvYaStLoGkJFrYZ0lSZdpengG1RzVZqqFOhtrflQV9FNbZMqVb9Kto0p0N0yXWXKVbdkJ5"
    "uqmtvZZHLBVSc4Gr0CMI7R+Y7GpajnxBX5XPM5WC+5TmWTGTEfAaZg7iIUVrqn2ETBIGSC"
    "JfFcWqSrtfmntHamlnamfmX8A8mjrehiLllh0YV3VhCF8kTtizRpd5SDgb9F+JaacCMBa0"
    "gBIyJCBQSdp8GaeOJXm66rdojtkyphErtOSmuCTDv0Veavtgg8DzZr3VXrrgdfSl2vMBzH"
    "jRQoWMmYki11hqMIlkqqlc56Umm1D7eoKur3SNtfSkLjHdLqVVXpYDWVZymayHNWS5wdYO"
    "saYqEdFDjVt7TEShIp3RBrsCRrYBF7kbYeLKEJgm/Y2VLQRLusNWZLXFSqlxALQbuEBzFR"
    "hgMzTqUOA0KjE7hHDhv6Vt8gMpgzBDJgQNd9BGH58534cHVz8z615q7eZa1pXz5cXX96cf"
    "R9mh95B6KJGMRSXYE3FApn6NbNNmql0aRwP0k6vhMkugyMdntr04FSYLfr9l4UNkZtzeut"
    "2FZR2emd2CJVsse8hSsHckYNCuwx8b3hNnuMi+bIdaE1NZLDtV2mS1vpcItdpofVaKjlLY"
    "BHkQmwDb58eh8Epgs15O37d9XE3dZrRmMmVxMlJuihPaz5ahH8NHJFCpZ8B4MkobafKG0/"
    "QbZZh8UJMs1gpRnMMBdX8+zdUuQ9Ith/afcax9Rfd4MZ8Wz+0vROnMm/zV2ymtpsOQRzZP"
    "/OxaC7gXjN5F1DEIgbo5ej8d3g99+/7Wy+aaXcu9jfDS69FrCvVGJL0ahbsMd/RWE4A4Fo"
    "jFywgo9gKUKiXlCETP7I7ytKGQ0bIigXHxBH1CkIUCsPCkxTKWxGE4XuzkazO29ybIh/z0"
    "bnonj6+Rn/9/zk/Efwl4Xt+28ilNVFjgUNLgHOHn3Bz/9GIG7vvF5aiS20oJ+0NZUN6MzS"
    "Kcw9ZeM6dYDXs5AmdLH73rI5ZyouN7Ylwrk9uty1pskvXlA3s5v83l5sIjL87QjRp/AxfY"
    "WpRMqtA9FbPr6vMLnoD2Q0UOrsU/Sczso1T+G0bmJCiZHXNnMf+zSfWnWUhAEqt3AxKPKV"
    "JG4Pt7lL4rYWLBz5ZHLgJVcf3XsuOohQGbgQlVE2aXtB3IY4qsRtfj10woiKKlAM5x8DKF"
    "qskM3yyYDNPrrAc/NbqueJ+OTftTPnkPmAsKBUyBanAtxzmZC9uRSa99gcromSckj3sYuS"
    "aiBXDurYrY1Sm0fqz8SyyPqLU3Sexve2HqZx7MHcHz71nKpHapDfLqrkveIHm2XxEy201p"
    "pg7mJkm2C9JGAJKbAJAzPiLZYMBIGdYHwSpLxH5tzxyZ03MUZ+p0bRtXFydD75vui03dNf"
    "1SEUap262oD41DbWWcuSTvR+Zvwtqu2wJfp8Q9IHz0vbYTlRrdOq3q1ofB+w3bdXK5adpI"
    "78DFUz+krnD38J/0JeoM6zJM+PGxvdEv5PRb1mF5v6QZlRVavJTMMKWs1OmorvxinQUiL3"
    "TgUNxYmGPqmccDb7VjdA5hmrm4gpCQ1uP3LF4QfXs20cJtBR/mYBGT/xvBWiABcY/Bp+dr"
    "HFLxEHHj5RW/0Oqn9EXJAQXBIkPbT+XVRp03VR3qbrQrfpep4qwBzbmC5r8TlDqlU9lfkc"
    "nWGSxvw0lTbmVzDmJ4SFXY35iUd1DOTKxvz0BJM15ic1DQM7ePc2YEIA/hQ9q0fAtxpKkA"
    "atRK1IoVpRv5i6KaJGczB/G0QaTOx/00L9QYV6BplXsHy3yPQxxR77fiS6jUjVJgnIhlwn"
    "3fwgqpRAbCGT/3aPHUf8wOHmC8BzKheMabth74ovGSJVyWxDobAdc3A/HwKGREswxp9F3K"
    "BszxLaNrJAlPR7ePh7WiFmsF4+AszC+S/gF2WWw1VQB/nmjfcKxc9rzag9zUiHObWUnOdL"
    "cFKoJig0ok/rmpEAu6Oe2bOcjmFGx0xMqqer/+hYPBloFY7Fiz2GBepo0pv4tCbahuqZtB"
    "JFSdXh4Yb9J2pVVKuiT6qiD5jGdUUlJO+QbBj2ovV/DLKVVFE559ilbOq/Zy3HRJZaO6GU"
    "FsGTDAsVcJm1V0LeQzdv8yst3gLqOHoztFrPVXmRbbglF/GZpVPZpkRcE7mvXtvkDYha/v"
    "HfOABv1LAoxeJddZEtSaJwKeKB/QNbAuoZBqJ07lkgkp5FYJYwrCal3AMULNbu75aQjfha"
    "J+pWm8+2z1muA0vO15hCxzGXzVRJTDNUGlcdANOoBa1KAEzRfqsNlNXD6msbKHWVknqhRe"
    "lDLA9azeyPuuWCOpEBkji8K+8Cu0O7yx7QCVgz57d0Yk3CSpVMyS/eBCLwn94KkuUAlFDg"
    "mtkGajho/EW9xUkTLfpKDRvCoXvy1tjeaqbDBg/sqwmZUB3YDYHKaufg6OXLuD50VDEjaU"
    "j5joKwMHNgYElO0kN0hDKlujtE49VtqlHTRN98HSbioKIagqXzOx6/v+k9kpzbYRFn4PCj"
    "ATxgtKaHmbVrZCwhm/7pTj1XyuWUI1TZKn4zn2MDQwtcGn41ffA/n4Trl4Vh9dLNfCeTCl"
    "Ocjypv5yvulXECfXWwi+r0uSh7hvZLqeyXwpR6tdyPKULt4Veaydr/ov0vXUBW27W1XbsL"
    "8DZo19ZVykswl0uZrVL0SN5MKFH3qEuoSpkJo4lVaCNMzLoKBkI3Nf7pqqo2gIx/5swTV0"
    "RIUdhRWPzm22I8C4nWS3PRe3Po950HlCRqkBvQBhQh8Ri0EimdAM742IJSqq3+KV0/VS2b"
    "pYsgLYoCKzc4bCh6GNbaQu1y+SjiXSOHFdt/Ww8c1vWhtOLepuKu2nrqfHRf3wE9WB53D4"
    "FVzg6iGMatmUGK46WkkZWMmOosuhIhU4fJ7O4qsiondm+CKAtNAqkYy0pGgXUrcUNawz6g"
    "hn2PpJLcwuG9i0Y5H1XQ+85HpXqfuJUWs+75Z0khG45X2WwxmImwiMfA6rZaYUpDE+Hh1W"
    "y4Eq82naMCeesKL0r3iTRdn/x7F+Px8fHZeHR8ej45OTubnI/ivSN/a9smcvXub2IfSbEi"
    "r1bMIEXy8CepFNYpBpvp/sq3Mjueayz5uwMbMRFYKOzNtikXnbVnBgkQpSypUPkWKwm2AP"
    "EyAFIAgYkMvIIWCLlQZ3uqYmc9KrezHuVjE0XC9dQmMgxI0ijMhJon7kmVE/ek/MQ9yZ24"
    "CLo24kJzwRYkDK3FIKeIttlY1TkIBnRJnB8sYvA5Lt4sjHYWwrlfGzL4pGrzfgsPhFlV27"
    "K1LVsHoTUdhKZE661eIqvD+3pq1lYNZB3epwS8lcL7ijbgBl0HvYdXptne3qzbl3OG3M/Q"
    "QvQtV8MHBQbuzIjhNhs3FGOnVAyeGtFobeTu0pE13GLkFiyVVL4TJOoauweXn1//L//vw4"
    "effnrzw+uP/L83Q5BRD+sYQMZVKrqNyyu6jXMV3XppDhf7w/0QoK8M2eaQo70Sm9UQ+DYp"
    "0boEfRXRcgsk6sYyz7WHoaGQ/x8vlqyqvbBl27moyStlGowJ9ljD10V8MJWv4lvTPDWuYp"
    "4al5unxjnzFGZolQf5H59vPpZs7uH4rLEEGwz8F1iYKmQeFxYo31wJxFuLkGwDCSPUj/7D"
    "ApP5ekmscNTOtimBWsqakuuLnW2BPUybScQDsn2xk9+U41N5K/IM2R6XhORKGKyXkAUlEE"
    "LNAFCITbDkchFqwmLYSrfyNbRZUf2eLTnnMYXCVvNBdDQEi4Pi/0OBW9UinmjxE33C4Wux"
    "xhuvvHcvR6qyiy84mdPrA9J7ZII5kavGumfHHvGYQVZSB3iCROE1okwMfzA1pvIN3nKECq"
    "PNscALbENONoOWsH0MwQLPmV9ZZwighR34qIbAesBgj71uRkG/N75SRaUaWP1EOMg2xKUI"
    "lzzUOSaylCozJmaGiDmAgHoOch8w5WyKvgLMED8wED/clWZXkOI5LcuwK5d3c4QK72mNuG"
    "/bkGrxaoVMzOHhOIq6TgULhnB1CdolumEBeYYNM07fluYRX5FYOHfeZHxk3nmns9PJnXcx"
    "PjvhV2YXkHOEpLWS7ygwSeXInW0L4ebmfYpzV++yrPny4eqaHz4+G/kgzEpWC/8WuMlBr3"
    "r8p6n6sE72UcNtKhmTnKRpBONexyVTrl8aSBbjNFXfUD46rQIzH7VFRs0BrYOlap22XQuW"
    "YsQzlrXYnKbUbFaazfxRxHqoxecMqa6yqDKfhWZH59AvfjM1PVSD3yWP6AzfUx8AgmruP3"
    "gOeMEF9lMT3Xnns9n8e8C/bHePQdemR2yqmD3KRRrmCRW2chwsihNSihc2QpLYpqk0sM+v"
    "6MNgvSRgji1kAswCrzNYL5EdXps9+hYGE2LrEfxBZlKGucaYECT0SHEgSaKjk5+OTo7DC3"
    "YM7ryJntMxeKtGdibn1fMuCdHKztFo+YgS+aMBZlwukEJ7eOOTPC9zVQA4lCU0uk+im5a6"
    "6pfWRQ/IZjuW1RUh3tcP1fDuyp6dmpfOkjDSAEi/iOf0CaQ2kww2s6ogvyA15aqlFqB4uM"
    "4t6JLAOQTluQXQkPUKbiiUDm735Z8h5xW0g87qQ+BvQkMwt+BiCIL9fxjFPYjQ9hWuHPPQ"
    "coTQ3CWrqXRce5qqf/7a5oPaGZFHOUmjMX4aY75fkALVa+sGQ4r69qm1v0S6z6vX2HzDtx"
    "EhLYc/00caJj9IVxU5r1JV5Ly8qsh5PvZTPkBq/yXIZXMBlA2MEudsHuzyLJlo/E5ZMvUg"
    "fz337MBHMvOwxbBNX4o/++YArGglH0be86U92R1wYfmZrZKVXehOvhXVuNl6hQzaiPkol7"
    "/eMZir18igdY1IbSv/gbWkRPmPTSnVlH8nHt541+1geiRi9HSn7UOaBCR75O7SGVe1NZ+W"
    "xieVCilOtlRSnORLKR4sgHVfitHrsMPOm1evV4hS0foZ+4lAnmMRaAITLxANxUwd6Kr0ct"
    "Byo5Ybtdz4vOTG90H91euvcOX4+OaEx8yIrRKkFRaoRYnB2nnUpRW/TVJk6GvBobnFdB6O"
    "V1p+CQrB2N5qhlzqO41sRAG0TSA+m/p1uR2nXnmLyaiKAMNHlUuUo5wAEwhUMnzYUChcHI"
    "wu4XhyKqrT+xVGQtRBNIcOX1mE/53QH14V9w2FyiugprbUfDZloPTIq0mqA+zjGFSTAnjl"
    "ELfWhG6hLsVCcj7HBAr7Qf0ASf4nkRXESAIcNFoOeaDGVrLwuKYsg3xMoDLyAuYZYd9REG"
    "x8YWkJH36fI3XAb6GJsDYAPAcDgOeYNdmcptRsVo7NOavEYVTnd/aMfC3tWJi4O9ymMmMx"
    "borigVpd3ps823Yd5/13q1dtp2lbhOWrCT8g91HWv5KlU1gv9oXXYFqIUkPI9BwEwteWj/"
    "arFu63Ld4vZ49w4KNw9OThLw+DSpDsPxKqJg/Efu7XwmYEmJg6kBlLABccaYDnQtGwEZ9R"
    "oqVVNc7sOz5KBLF6UkrHhmKPkYEOss2ompYEh0KyITCJzZ84hyIcXBE1mzG0copShspTxB"
    "Mk+/NFjZQ+ZxPnqgW53G1OPZvhgtP1CR0uS7wf+b6JkwCCNXHv+R5D1jb1tWpfagT+p4jf"
    "Kza37br4r5X5Z8fmObYxrVe3KkPambo2z5LPFqRsilxXLoMkTaWyiRR9NZD/CxCvNwxlxr"
    "iA+2GdXYqYVd6SlWOFgRT5SNb45nCbUcVIDdMmlX3tRW2bVAI3vczesKFQWMe/TTTGUrov"
    "ljZpta4u8j/HxGYlA/GGROXDzw+tEU7wJVkLKwoXwI1lqpb24c6+LAcKPePlSZQJEnWzKI"
    "OOSlH/pGHsGd8UMuf6pbm7+aqdTEtEscul+BrtYwpIVV4md97paH58551fnB/deZP5xZko"
    "Rn88uvPOTs9PxHXE706OZvzfM2Tyf0/PLgxlzMEGB3BBXClzfJJmj+uH+DKd7C7mEtMzGD"
    "+gRSsN0XbGIgtMGTZE9KDrX9k8+PDHCfSK4rS3bGURgcprZC5M8cD0BLR8H3tAHP9FXE9I"
    "vd2LcnhlO/UlaVTmRdynr6C7jJrcWAn7upQWsaFQWYYNWCFi3iiAM37cBd36khHOQ8BV5S"
    "AkK7npHl7oYsTBhgxLYgLl1wYVRh6uxkWCFuW6HXTRK0DvvVevw/OkVoJc82zw3xUzuWTF"
    "BM0eT2+buKugn70MRwKqIVjBPyr3SUz3OKkAeXnFllzBFv89wvZUBS7Cch96jlCNmiLi78"
    "nWFBn47aG49GRBNuf8EcW5HASZkKcI42f7piE1/34L8T8pKnhRBufznU+YdpztfEGQIm/7"
    "1j5ZCSrF22OJ8wMafENDZlAK6TvhkMSuGUnFILbACjUTghVXkJc786rBFlmUIUdqkwvH77"
    "WHuNArpDUUZSxZArK6TSnSpNppp7LTLuwbh/iHEJkllaVTWZBzRf6OL0xzWYdPTCBmKFiL"
    "LAfPAcH7H37F8WPTeiwstv1Uz58NXXciIQZ+4fNUB+w1pEJmWGFxMDEClgi6QLgld1dEu7"
    "YqDYtQVKNhapZO4VXZyG7bjrlHdy3cSzEX3YAzA3Kleq5HWwq6HuUruuoYu2dxYDzDnoGD"
    "lPDAFVrkMCE4CGN2wvr+vOaBLwDUWu1Jws7MgWe51kPbzdS33Ui2rysgVbjV2uGyFIjNVU"
    "XqOyUlC5HlKTXAKjUJVE0K6UPnv55PVrK2pSFNkGhIn65HeJCuf6ptBd+iWdR0K7/kodQE"
    "xJnHdWsqV0Y5f5KnkObvAT5+ef9+kN9+G8C4alfQjoJb2hS0GNWU3NoAun3vl1gg5leZu+"
    "LQ0ug+OXcTZ3sJquXJV2kP665dFiM//efQwd2TAy8dXAbpfVM43fJn9QmnvaTy+ZNrWzpf"
    "NPsqpPRNo1AMndfXKdl9CJ5fW0plYnHCXpFyMU8poj74gdtG2e8VKYdxgkQjXKGYju4uec"
    "DukjYp6p1aHksSjVc3J1LZEBLdzrCXjreNFCvpEkqTabdFBYNwsgbIzubKxLM6BnN1Y2V6"
    "jqnUpSatfW9TJCP1vIoiyaKxTymSg1+Jew9gIqmBrBEFs0d+zUTQtLCNglw7Cy2gBfgH2y"
    "Iz9cWdd2qYE5G/DY/uvItzP397dnrKr4+huH4xOvvebzYiiPk+wzkP5giZAraX2UP/gK9R"
    "3MoxuSru+fTWnRwPqkX7LJCQjaPxSovG/lQexrOxjiDcQt3hWlktjSa0KHrM9EJKE0Vk6/"
    "B3Q6bD31Tmr9Zj96bH6uDxZ7GitF7bXuyYf6zMHuWQTRPp+DFtLjiIuaBgHjeAb8+jQ9Jr"
    "Vzo+pE1DzCVysbEcFFhgwjvDbaYXuBmjffdd2jeHW6wOIsJR0nmfIFHZ9lDT6zmeTCrYG/"
    "io8rKK4l7GH+RIuZXD4T1E96hS0cqjLUUrjwqKVpaVfC2vv1Re8lXJHkZNaCWNlUrKiWH7"
    "PMy+/T9gbUK5"
)
