from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "callback_task" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "state" VARCHAR(12) NOT NULL,
    "way" VARCHAR(8),
    "open_key" INT UNIQUE,
    "start_at" TIMESTAMPTZ NOT NULL,
    "started_at" TIMESTAMPTZ,
    "attempts" INT NOT NULL,
    "rating" VARCHAR(12),
    "score" INT,
    "comment" TEXT NOT NULL,
    "feedback" TEXT NOT NULL,
    "follow_up" VARCHAR(16),
    "declined" BOOL NOT NULL,
    "done_at" TIMESTAMPTZ,
    "done_by" VARCHAR(32),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "owner_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_callback_ta_start_a_a1e362" ON "callback_task" ("start_at");
COMMENT ON COLUMN "callback_task"."way" IS 'chat or phone, once decided';
COMMENT ON COLUMN "callback_task"."open_key" IS 'the customer id while the task is open';
COMMENT ON COLUMN "callback_task"."start_at" IS 'next attempt, outside rest hours';
COMMENT ON COLUMN "callback_task"."attempts" IS 'phone calls that did not reach the customer';
COMMENT ON COLUMN "callback_task"."rating" IS 'satisfied, neutral, unsatisfied';
COMMENT ON COLUMN "callback_task"."score" IS '1-5 when the customer gave a number';
COMMENT ON COLUMN "callback_task"."comment" IS 'what the customer said with the rating';
COMMENT ON COLUMN "callback_task"."feedback" IS 'suggestion (satisfied) or what was wrong';
COMMENT ON COLUMN "callback_task"."follow_up" IS 'handoff when passed to a person';
COMMENT ON COLUMN "callback_task"."declined" IS 'reached, but did not want to answer';
COMMENT ON COLUMN "callback_task"."done_by" IS 'customer:chat or agent:<id>';
COMMENT ON COLUMN "callback_task"."owner_id" IS 'who calls: the customer''s last agent';
        CREATE TABLE IF NOT EXISTS "callback" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(12) NOT NULL,
    "source_key" VARCHAR(80) NOT NULL UNIQUE,
    "subject" VARCHAR(40) NOT NULL,
    "offset_days" INT,
    "due_at" TIMESTAMPTZ NOT NULL,
    "deadline_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "task_id" INT REFERENCES "callback_task" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_callback_due_at_359d82" ON "callback" ("due_at");
COMMENT ON COLUMN "callback"."kind" IS 'buyer, prospect, after_sales, complaint';
COMMENT ON COLUMN "callback"."source_key" IS 'what created it, e.g. order:<id>:30, prospect:<customer id>:3, case:<id>, complaint:<number>';
COMMENT ON COLUMN "callback"."subject" IS 'order, case or complaint number';
COMMENT ON COLUMN "callback"."offset_days" IS 'buyer/prospect: days after the purchase or contact';
COMMENT ON COLUMN "callback"."due_at" IS 'when it is due, outside rest hours';
COMMENT ON COLUMN "callback"."deadline_at" IS 'done by then counts as on time';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "callback";
        DROP TABLE IF EXISTS "callback_task";"""


MODELS_STATE = (
    "eJztXW1z2za2/isYfWkyo+TKsmU7biYzduruZjeJexN3d+/WHQ5EQhJqimAJ0Iq32/9+Ab"
    "6JrzJBkRIoox9Sm8ShyecAB+cN5/wxWBIL2fT1e58yskTe4AL8MXDgEvEfCveGYABdd31H"
    "XGBwageDzfSoKWUeNBm/PoM2RfyShajpYZdh4vCrjm/b4iIx+UDszNeXfAf/7iODkTlii+"
    "B9fvllYC6g4yBbPBp9Y8hzoG1ga/Drr/wCdiz0DVExUPzq3hszjGwr8yF8LL8VXDfYoxtc"
    "++CwH4OB4j2mhklsf+msB7uPbEGcZDR2mLg6Rw7yIEPi8czzxYeJ944wiL81/Ib1kPAVUz"
    "QWmkHfZikgpsb62sAwPt/cGl+vbw1jIAGdSRwBO39VGnz9XLzCq/HRydnJ+fHpyTkfErxm"
    "cuXsz/BPr4EJCQN4Pt8O/gzuQwbDEQHGa1BTTMki+34BvXJoUyQ5fPmL5/GN0dwEcHxhjf"
    "B6vu0C4iX8ZtjImbMF//XodAOe/7j88v6vl19eHJ2+FH+Q8OURrpvP0Z1xcEtAvoY4Pdkl"
    "YM6RqQz1gLjIwRYgHlih6Ss+QRh4wBQzfiF8e2kujM/rsGF8Xs0HcS/LiOD/EhyIxzeCPh"
    "ISak7y05Ma6J6eVIIrbmWxdTlCUuAmBIeH7vG4BrrH40p0xa0supgaD9gtwntFiI2gU7EF"
    "JkQ5iKecqivhkVzpAOUNqF7d3HwUT15S+rsdXPhwm4P3509X11xkBKjzQZih9A65xpq4HB"
    "GD+EwS7gyd2ogP7vw3o9Hozj+fwjFHm4Al9O4R4+AD16cLROvJ7N0wxPSQgMyAJRz5gd9h"
    "eIkqNJUMZY4nVkT6Ov5Bnf20jRVx++HT9dfby08/Zbjww+XttbgzDq4+5q6+yKs1yUPAPz"
    "/c/hWIX8G/bz5fB3ASyuZe8BfX427/PRDvBH1GDIesDGilMYkvx5cybLYhZQZ2psR3mvC6"
    "hLwFhu9mnwn0Jwr+ifh2yb6j4OQcLICHXPsRrPhf4oA9z9kAOXdYqdpcafcV6J42AffH9t"
    "WCAIq8B2QBbiYvgXh58OLOP0FCOL8ZHcE7f2IeH935p2cji/88hkfi32N+d4LeTF7WVK1b"
    "sCGFVT67T5mQ4sIUmvcr6FlG5k5KchPnAXkUiu+lJdtpRP7j378gOxhUwrDYfZF6VH8F9f"
    "pqNMmymodn8U/cDqcb8QxlZni7+DA433YWRe6tWzg/1EkU6m+Gh0yEuWDZDq+f+MO+IBO7"
    "GNWSm71EzEMz5Hn8tYwltEpsWBnAvkTPOnSsDJMDsuVijLF6z8cfPF4e+g2ZLeyDX+LnHK"
    "iMTwG2amOKiZHXDvMeD3WGmZCiLVG6nDHkfYU2ou/5w5SZWIF6PMM2144x+z54AFgtkBNd"
    "mz4KpRlYEHMz6TcylbKRnsLUtoVuu622ET3mcKde+H0Gg7QtrG75ow4JL2EmkTGpMpyyt/"
    "JiEFnG9LEa1xsH3RL+T6tqSV82DQHjcrzMAbuEDjf+rehxgrjMfiwLj+fsyw0h8vzIVsPk"
    "Ohiug+HqRLLaD4bfoxKBVg1vNLwdaLuYu4O30Qx4d/HWp0jEu981CnifjmpBPdqA9SgPNm"
    "WQ+SUbczXea4rdzebBlLBBT6czfysYbr7cYIE03BFqZ3iUER9eOLz9ZIMIuEYxwTxtb4JE"
    "zzIo6HqYeJiV7BmVyk6apFHwp5EQG0luG/zJPgKBx/8C/OPDT5RbtR5lQ2HTOuHPwCTh9N"
    "uVYrSGPXi7JqsrQ6iXlspLC1KK504jLudINZ9V5nMgS4wgm6ABq4vUmtsqc3sFsUjjMih2"
    "zJJY1mZmF4g1r1Xmte9A855L4Ua8LhBrXqvMaxd53EBsIMAzhJrHKvPYhi4VSpXIXivx2v"
    "zt683nqqS3HGGez9hk4L/AxrQz+2fwduY7QWAaTH1s822EvhZ/752kZ2cQfgQQsT8bMYD5"
    "z6ZNzHsQfKRUkK9sUggQM/Mh9jO8+HT5r7wL4v3Hm6s8o8UDrnLm0oLYVrBvRlkyNS3VPJ"
    "m61mr0pmCJKOUMokC8MsAOt1YxBQvoWOQhTDvbva0qcmcbWTEZQp0crrRojCxOJJcMnKNS"
    "OBV4xyGwVMgryoiUAzZHtTvBpTiyhSzpItBFlH8kHuLT9O/oMQD7A38rWK6Tlxzl7hnIVe"
    "F8ftmDqyTOnZ9gHAP+5Sg8IfT+8uv7yx+uB6UCogV4L+f1kl0Vkwx1oc0JxXJo62T3x8pA"
    "EXKZxJ9P4VMOaC5nzxwTti1Cf43Uq8/8UYcKk41mzGhnQn3kjzrwSUVtaKCHcitRBqqvNr"
    "x+OLDMfqmEO8kksnhaleSPpWZcderYMjWo7eIquaw0C3vrPHFKfM9EutiKzi/b+7rtOiEn"
    "M+/rgpwhUhlm/jhRZCUqMiBdl6JOWYrqqhSFVD7+bTIox+N3mFnG0LcdpZaN6yQ5jauTnM"
    "aFJKf43bPw3vKr5fDG43cIb1fQbvJcXf/rdrP/NnFcfbz5/Jd4eN6pm8uTTPZHiemcIeoo"
    "a6+NBFWXa4Ez4i1j561KFZmgz2ErcYlUo76m2OE8T/tuZKCP6YZgStgQBKGNi7cNM4Q7qC"
    "rksNKARTX6a4rDS1NtH1/+52bYQqXB+R9tAqucqxmyHNAzQdc/qDdA+8PNz1cfr8FPX67f"
    "f/j6IYrOJcGH4GZgwyQVgr5cX37UJYKeYxSIG9SYW7mPhvzBhhLSHW4g6WoMMhtITDcELn"
    "JEBHYYRF6HwHeiDwpeq8l23rrlNYPY9j3U4BxEkfLwdpdO1CcxFxrIvBSZTghSWd6lnXqS"
    "AdoipQ7S1gjS5ryo2wZqD7No1TAfrC1ONtmoYpde+7AkVonPPqmVVe2xpwviGiQZp49692"
    "mhDze44gOecsEro6ekadQ9kdxQQTmpc/74pPr48Unh9PHUfxRwSRbdzlIdniL4DEpv728S"
    "d+AjY2gplYudEPQ4B/uXP+i9PwQCgyH4nT1y89PDJjJmyPnz13rW5q5TsBlh0BYvWOTVFZ"
    "5XbpcZMmXzr2V3zTfj8fHx2Xh0fHo+OTk7m5yPku2zeGvTPnr14S9iK82wpJhD6qGZ8EdY"
    "8vDnKTUHmnGgJ4U+XIhlXWDKJBaId29y/GpNpn0tKvta6AK7bqMQQpZSc1llLscO9QZszp"
    "FqPqvMZ5P4Hi47bLEh025NcnhWZ/uGkXCE3YvTi3I+lBzZ4SHdvn2fQFaV8l1tjJaQ9tos"
    "hWwIQs1V+JKJzQewsFiSmlZpsGe4zLB81HTHyVD3ZtMJpPMSMmyC6CtAkNbiLdcZ6s9qQ4"
    "p5Kbo6BhZv8+mQe0R/5oRoWjM7vfPfTM5md/7p5Jj/fG6Nz8QUEb71mnmJhzQtwiRSKcM9"
    "odih4Y6XLvFkM6kjqiFAnjsEFlqSevzt2pL3XathsliWUieLKb209neyXTX99BAPtiuGca"
    "vn2uscvt5H2w9FpdVuz4CG1QFKskmSsgHV2SQwGaITSfok/YagOpFkp03FdwLtwCZz7ETR"
    "X3HiQ3Shb6K6te8KsTB1bfgonVSSp1PY7cStpNPT48mdf/ZmNgLxfiEqbjXK827f8ecRWw"
    "r7ePwOzZVEzvYz0EjpipvDxgLShQzQBUKVTzI3hHs8mdQ5ZzuZVB+0FfdypxBdzPfTe8SV"
    "MTxHVOpEXBltK9JFodTA9uW4CV1oypX1T5PsLk1kIim8lySo259qewwW/GsAZIBEps/ua7"
    "y53KouP4W4QZikaHYouclsZuMwObGPslufQ6yE/pBcS0GTea6QNanHnKftjfv+2XC64Ouq"
    "5Y/ZW6t7Nbmvq+L1s85bH2cTdF2PiMysw+2F3C5gGiflGxzvsMW2+Ep6ETTTjt1N31Eg9B"
    "SwdqSo6YzPbAIlPvn8JlHtmo9r2BtOPPQpF/3gzj9B8OTOPz2Gkzv/fDod3fmT2WRyAURl"
    "ecD5RkMLkD86rt8AguNBQ0AXZOUARgLUHfQtgpobiSEfUirA6zz+O/3DOtygVrhBcNhIOF"
    "wEuLo+XJFSV4qTrhQXrSYZ3FMkGnBpwLVHpREr+mBnFwsBSnb3SNPo6iZlzT10/RhdP2bv"
    "Aqq9+jF1Sod21u6jr+hmxKRKdXnSjRpKbLdcH4dq0y3dO6Ku5XY2mbzhphMcjS4ATJu9cZ"
    "HcGfHESZPZDKxEQ26HTIn1CDAFMw+hqAY3xRYKByELLIjv0TJbrcs/pa0ztawz9Wt270kf"
    "7cQW88gSi76X05I8gidO5WdJ+2McDAIRkXbVgRWkgBGRYwDCXq9gRXzxq0NXdXsyHpIpYR"
    "GnyWG7FJkOyarMX+0ReB5s1rartl33vpT6Xvs0ifyXGFjprIANFVDjHIRappU+t6LSah9u"
    "MFXU7960u6Ty1ns3Nav30MM6D89SNZHnrNY4e8DWFcTCOigJqm9o1pMmUrpVz2BBVsAmzj"
    "zrPVhAC4TfsLWnoI1GPivMFrisiCghNoJOBQ8SohwHppxKHQZETidwj1w2DLy+YW4nZwhk"
    "wISe9wiiwsxb8eHq5uZjZs1dfch7037+dHX95cXRyyw/igFECzGIpfqVrikUPmPZ9LxIJy"
    "3wRPhJMvCdItEFKnTYW7sOlAK727D3vLRlY2dRb8VERe2gd0pEquSPeQ+XLuSMGpT4Y5J7"
    "w03+GA/NkOdB2zDTw7Vfpk+idLjBL3OA9USo7c+BT5EFsAN+/vIxTEwXZsj7jx/qqbudV7"
    "PFTK6qRUJwgP6w9s/7893IY7RJbfU0ofafKO0/QY7VhMUpMs1gpRnMMFdXi+zdUH46Jth9"
    "0ekG29Qfd4Mp8R3+0vRO7Mm/zDyyNBy2GIIZcn7latDdQLxm+q4pCMSN0evR+G7w669/bu"
    "2+6aQQtZDvJtdeS9hXqbFlaNQtuRK8onCcgVA1Rh5YwkewEClRLyhCFn/ky5paRsuOCMrV"
    "B8QRdUsS1KqTArNUCrvRRKmys9H0zp8cm+Lfs9G5KOt8fsb/PT85/x78YWPn/k+Ryuoh14"
    "Ym1wCnj4HiF3wjELe3Xi+d5BbaMDi0ZcgmdObpFOaesnmdOsHrWWgTugz3wbK5UQUd16eL"
    "batS/OSHlQ/7ye/NxShix9+WEH2JHnOoMFVouU0ges/HHypMHvoNmS0Uq/oSP6e3es1TOK"
    "3amFBi5LXDvMdDmk+dBkqiBJVbOB+UxUpSt4ebwiVJwX0WjXzycOAlNx+9e646iFQZOBeV"
    "UdbH9sK8DbFVidv8ehSEERVVoBjOPwZQNF8ihxUPA7b76JLIzS+Zbgzik3/VwZx9ngeEJa"
    "VCNgQV4I7LhOwspNB+xGZ/7V2UQ/oQ+7uoBnLtpI7tGrx0uaX+SGybrH52y/bT5N7GzTTJ"
    "PZgFww3frbulhufbRRm9i6DeHN/RIm+tBWYeRo4FRCm6BaTAIQxMiT9fMBAmdoLxSXjkPX"
    "bnjk/u/Ik5CnrIiX5yk6Pzycuy3XZHf1WnUKi162oH4lNirLeeJX3Q+5nxt6y2w4bs8zXJ"
    "IUReuk7LiWud1o1uxeMPAdtdR7US3Ulqy89RtWOv9H7zl4gvFBXqIkuK/Lhx0C3h/9S0a7"
    "bxqe+VGXWtmtw0rGHVbGWpBGGcEislDu/UsFDceOiTxglnc+B1A2SW87qJnJLI4fY9Nxxe"
    "eb7j4OgAHeVvFpLxHc9fIgpwicOv5WeXe/xSeeDRE7XXb6/2R8wFCcUlRXKA3r83dRotva"
    "lutPRGN1p6nibADDuYLhrxOUeqTT2V+RzvYZLO/CyVdubXcOanlIVtnfmpR/UM5NrO/OwE"
    "a96t3UMmdvH2jZyEAvwlftYBAd9pKkEWtAqzIoNqTfvC8DJErZ7B/GUQWzBJ/E0r9XtV6h"
    "lkfsny3aDTJxQ77PuR6jYiVZskJBtym3T9g6hSArGNLP7bPXZd8QMW/eA9361dMKbrlqtL"
    "vmSIVCWzNYXCfszB/WwIGFq6fEvgzyJeWLZnAR0H2SA+9Lt/+A+0QsxgtXgEmEXzX8Avyi"
    "xHq6AJ8u077xXKn9eWUXeWkU5z6qorutDgpFBNUWhEn7Y1YwV2SzvzwM50DHM2ZmpSPV39"
    "R+fiyUCrcC5eEjEsMUfT0cSnLdEuTM+0lyg+VB1tbjh4ojZFtSn6pCn6gGlSV1RC847Ihl"
    "Ev2uDH8LSSKibnDHuUGcF7NgpM5Kl1EEppFTzNsMgAl1l7FeQHGOZtf6UlIqBJoDdHq+1c"
    "lRfZmltyGZ95OpV9SsSzkHfx1iHvQNzyj//GAXinhkcpUe/qq2xpEoVLEQ+cV2wBqG+aiN"
    "KZb4NYexaJWcKxmtZy91CwWIe/O0I25muTrFvtPquBrNUIWUvnM1fLAk8S0xSFxlMnwLTq"
    "QauTAFMmb7WDsn5afWMHpa5S0iy1KCtsi6A1PP3RtFxQL06ApDaZ2lJge2i3kQG9gDWnD0"
    "kfrEl5qdJH8suFQAz+06IgXQ5ACQOuHTHQIEATLOoNQZp40ddq2BAN3VG0xvGXU502uOdY"
    "TcSE+sCuCVQ2OwdHr18n9aHjihlpR8p3FESFmUMHS3qS7qMjlCXV3SEer25TjYYu+vbrMB"
    "EXldUQrJzfyfjdTe+R5NyOijgDl28N4AGjFd3PrF0hcwGZ8btn+J5UyKlAqLJX/GY2wyaG"
    "Nrg0g2r64H+/iNAvi9LqpZv5TiY1pjgfVd3OV9yr4gT65mIPNelzUfUMHZdSOS6FKfUbhR"
    "8zhDrCrzSTdfxFx1/6gKz2a2u/dh/gbdGvrauUV2Aud2S2TtEjeTehRN2jPqEq5SaMJ1ap"
    "jzA162o4CL3M+KerqjoAMv6ZU19cESlFUUdh8Vvgi/FtJFovzUTvzWHQdx5QkqpBbkIHUI"
    "TEY9BSHOkEcMrHlpRS7fRP6fqpavksPQRpWRZYtcNhTXGAaa0d1C6XzyLeNnNYMfnbeeKw"
    "rg+lDfcuDXfV1lPvs9AOHdC9neM+QGCV84MohnFnbpDyfClpZCUzpnqLrkTK1H5OdvcVWZ"
    "UPdq+TKEtdApkcy1pOgVUneUPawt6jhX2PpA65RcMPLhvlfFTD7jsfVdp94lZWzbrnnyWF"
    "bDReZbfFYCrSIh5Dr9tyiSmNXIT7N7PhUryaMUMl+tYVnlfKiSzdIcX33ozHx8dn49Hx6f"
    "nk5Oxscj5KZEfx1iYhcvXhL0KOZFhRNCumkCJ5+NNUCtsUg/V0vwi8zK7vmQv+7sBBTCQW"
    "Cn+zY8llZ+2YQQJEKU8qVL7FSootQLwMgBRAYCETL6ENIi40EU91/KxH1X7Wo2JuojhwbT"
    "hEhgFpGoWZ0HDHPamz455U77gnhR0XQc9BXGkuEUHC0VoOcoZok49VnY1gQBfEfWUTk89x"
    "8WZRtrNQzoPakOEn1Zv3G3gg3Kral6192ToJre0kNCVabx0ksjq970Dd2qqBrNP7lIC3Vn"
    "pfmQBuMXRw8PDKNNvbmXf7csaQ9xXaiL7nZvigxMGdGzHc5OOGYqxBxWDDjEdrJ3eftqzh"
    "Bie3YKmk8Z0iUdfZPbj8+vb/+H+fPv3ww7tXbz/z/94NQc48bOIAGdep6Daurug2LlR0O0"
    "h3uJAP90OAvjHkWEOO9lIIqyEIfFKidQn6JrLl5kjUjWW+5wwjRyH/P54vWF1/Yce+c1GT"
    "V8o1mBDssIavh/hgKl/Ft6F7alzHPTWudk+NC+4pzNCyCPLfvt58rhDu0fi8swSbDPwX2J"
    "gq5B4XHqjAXQnEW4uUbBMJJ9T3wcNCl/lqQexo1Na+KYFaxptS6Iudb4E9zLpJxAPyfbHT"
    "31TgU3Ur8hzZDpeE5EoYrBaQhSUQIssAUIgtsOB6EWrDY9hJt/IVdFhZ/Z4NZ84TCoW95o"
    "N4awgXB8X/QWFY1Sa+aPETf8L+a7Emglc+ulcgVTnEF+7M2fUB6T2ywIzIVWPdcWCP+Mwk"
    "S6kNPEWi8BpRJoc/nBqGfIO3AqHCaHMs8Bw7kJNNoS18H0MwxzMWVNYZAmhjFz6qobDuMd"
    "ljp8Io7PfGV6qoVAPr7wh7EUNci/DIQ5NtIk+pMmMSZoicAwio7yLvAVPOpvgrwBTxDQPx"
    "zV1pdoVHPI2qE3bV+m6BUGGZ1kr4tgutFi+XyMIcHo6jqOtUsmAIN5egU2EblpDn2DDl9F"
    "1ZHskViYVz50/GR9adfzo9ndz5b8ZnJ/zK9A3kHCFZq+Q7CixSO3Nn00K4ufmY4dzVhzxr"
    "fv50dc03n4CNfBBmFauFfwtcn0Gvu/1nqQ5hneyihpshmZOcpmkF44POS6bcvjSRLMZZqk"
    "ND+ei0Dsx81AYdtQC0TpZqtNv2LVmKEd9cNGJzllKzWWk280cR+6ERn3OkusqiynwWlh2d"
    "waD4jWH5qAG/Kx7RG75nPgCE1dxf+S54wRX2Uwvd+efT6ewl4F+2fcSgb9MjcVVMH+UyDY"
    "uECns59pbFCSnFcwchSWyzVBrY51f0YbBaEDDDNrIAZmHUGawWyImuTR8DD4MFsf0IfiNT"
    "Kcdca0wID/RIcSBNorOTn85OTtILtkzuvImf0zN462Z2pufV8y4J0YnkaLV8RIX+0QIzLu"
    "dIIRne+iQv6lw1AI50CY3uk+hmta7mpXXRA3LYlmV1RYr39UM9vPsiszPz0l0QRloA6Sfx"
    "nEMCqctDButZVXK+IDPl6h0tQMlwfbagTwrnEFSfLYCmbFRwTaF0cnug/ww5r6ATdlYfgk"
    "AIDcHMhvMhCOX/MM57EKntS1w756HjDKGZR5aGdF57lurw4rXtJ7UzIo9ymkZj/DTGXF6Q"
    "EtNro4AhZX371JIvse1z8RZb77gYEdpy9DN9pNHhB+mqIud1qoqcV1cVOS/mfsonSO2+BL"
    "nsWQBlE6PEPlsEu/qUTDx+q1MyzSB/O/OdMEYy9bHNsENfiz/7bg+s6OQ8jHzkS0eyexDC"
    "Ck62SlZ2oVvFVlTjZucVMmgr7qPC+fWewVy/RgZt6kTq2vgPvSUVxn/iSqln/LvJ8Na7bo"
    "fTI5Wjpztt79MlINkjd5vOuKqt+aw2PqlVSHGyoZLipFhKcW8JrLsyjN5GHXbeXbxdIkpF"
    "62ccHATyXZtAC1h4jmikZupEV6WXg9Ybtd6o9cbnpTd+DOuvXn+DSzfAt6A85kZs1CDtqE"
    "AtSg3WwaM+rfhNmiJD30o2zQ2u82i80vpLWAjG8ZdT5NEgaOQgCqBjAfHZNKjL7brNyltM"
    "RnUUGD6qWqMcFRSYUKGS4cOaQuHiYHQBx5NTUZ0+qDASoQ7iObT/yiL870Tx8Lq4rylUXg"
    "ENraX2T1OGRo+8maQ6wAGOYTUpgJcu8RpN6A7qUswl53NCoHAcNEiQ5H8S2WGOJMBho+WI"
    "B2qIkrnPLWUZ5BMClZEXME8J+46CUPBFpSUC+AOONAG/gybC2gHwHBwAvms1ZHOWUrNZOT"
    "YXvBL7MZ0/OFPyrbJjYerucJPJjMU4AyUDtbm8M3226zrOu+9Wr5qk6VqF5asJPyDvUTa+"
    "kqdT2C4OlNdwWohSQ8jyXQSi15bP9quX7rcp36/gj3Dhowj0FOGvToNKkew+E6ohD4Q8D2"
    "phMwIsTF3IzAWAc440wDNhaDiIzyjR0qoeZ3adHyWSWH0po2NNscPMQBc5VlxNS4JDEdkQ"
    "WMThT5xBkQ6uiJnNGFq6ZUeGqo+Ip0h2F4saKb3PpvZVG3K92zJ8h+GS3fUJGy5PvBv9vo"
    "2dAIIV8e65jCErhwZWdaA1guBTxO81m9v2Xf3XxvyzY/MMO5g2q1uVI+1NXZtnyWcbUmYg"
    "z5M7QZKlUtlFir6ZKPgFiNcbRjpjUsB9v8EuRdwq76FtiycNShNZo3vDTS4VMz1K+1N2JY"
    "i69qccZFOmqf+IvCFwPUJdZLIhSCVhD4Ni6jaM5sL++4Krk8zaiasl6DgT6YXcoh8C9Hr+"
    "OuwBFBz1uzgerTl18TYR28EtzixIUXQkMOHbxdsws6SQ/9r5H9t1oV5/KgqtS82LNYm6Rw"
    "/D/KAQ77i9QQB2lDLUZGG230yezGYUMcOCjzJuhhyVygXTAjH5P8lyAOKdQ1EZGMIulzCL"
    "hEMOg2Zdidmyb6JZDc5Wy27uyBsRVJ0S+RVU1NYcAuIzii0EuDXAwIKL/O39oL0zXywELR"
    "s7jaZAlrQ//oiB8LhGhcccvvh8zlcAKRA2TvSiz2sSaJfU82Dz3mqUqsbVtvdQBum9HKop"
    "CoWVGGVO7uylPqZqs7b2uR3ZopdiMrYBbeTEuo0e168pXBfd1MrNIMv/Pvj888eP+ztOn0"
    "J/gyMy5s7TzkgjnhfaI9krQTrc4JHsRStyKtq2+HE6RPdJXq17HVdQyt0YDVc5DGQK3x/x"
    "wsNm3HTmGwGwkMnN50Y5K3WqiFUXESvUEKvualbtSapuatZMA+sulW7tRwWrBbbD4wlCNg"
    "tPhviO/TiOuGTwWJP2LSm6/jiPHPSNgSjLSbuOEj428hpkKXV+g8pcPtRcwEGwkwGh64rM"
    "NL67WVy+ilapHoLmItMwdT/ylQMUpZXW1SPWFCqrEmH3KyxqHzvI5wDyB/hOcrWJOtFB3N"
    "jk1q/EnE/GK+zNGRy9moStNzJqxRw+IADlgoNt58eS5bL0ZG91EdgUicKh2CBknkGbQqHG"
    "YRZKmPWKVa9S7AwhK85JqsuVNI3CbKH+XNSXEFltLxLB81LYNwHDVpCClUeUZUzQMdDwXZ"
    "m9IUOk8vawgI5FZrNQULmQUlFSg3AB5SIvKvu8/xMS3PQVoc8SD9XGtvJpMsXbyQdakNij"
    "p/5aNVpBhwXMcOiq7l6xAfoW+8eLkG6TGDZpM36tzZDu8hQEo8p6cm04MbkmUVneJWX6Yx"
    "fbulB/E1mnq0/oFaarT2g26ySQnXefXTnS3WdTJCo7DkSFqsBTdpExZr+jQBxkAkmVLZ0o"
    "osTM7ixRJJivLWCrVufOFqd3XeTTC186iyRd0TjM1Ni6b+X69JkSHNl6pnfatfISedhcDE"
    "pybKI7w40tK9ZjdFpNv/b66rSaB+RRyS6VKRKVj/s1zKkZTyZ16vZMJtV1e8S9XF0SV8rl"
    "GQ0/QHSPalVFOtpQFemoWBVJnEIqDcJUV0VKkfShKlIbBl9rlY72enb9z/8HoITqeA=="
)
