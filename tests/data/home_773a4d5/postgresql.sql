--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    name character varying(100) NOT NULL,
    role character varying(20) NOT NULL,
    units text NOT NULL,
    secret_sha256 character varying(64) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    last_used_at timestamp without time zone,
    revoked_at timestamp without time zone
);


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    seq integer NOT NULL,
    at timestamp without time zone NOT NULL,
    actor_subject character varying(320) NOT NULL,
    actor_name character varying(320) NOT NULL,
    kind character varying(16) NOT NULL,
    record_id character varying(200) NOT NULL,
    action character varying(10) NOT NULL,
    changes text NOT NULL
);


--
-- Name: audit_log_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_seq_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_log_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_log_seq_seq OWNED BY public.audit_log.seq;


--
-- Name: changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.changes (
    revision bigint NOT NULL,
    kind character varying(16) NOT NULL,
    id character varying(200) NOT NULL
);


--
-- Name: embeddings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.embeddings (
    model_id character varying(300) NOT NULL,
    content_hash character varying(64) NOT NULL,
    vector bytea NOT NULL
);


--
-- Name: freshness; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.freshness (
    kind character varying(16) NOT NULL,
    id character varying(200) NOT NULL,
    confirmed_at timestamp without time zone NOT NULL,
    confirmed_by character varying(320) NOT NULL
);


--
-- Name: log_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.log_head (
    id integer NOT NULL,
    log_id character varying(36) NOT NULL,
    revision bigint NOT NULL
);


--
-- Name: records; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.records (
    kind character varying(16) NOT NULL,
    id character varying(200) NOT NULL,
    fields text NOT NULL,
    unit_id character varying(200),
    content_hash character varying(64)
);


--
-- Name: search_gaps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_gaps (
    query character varying(200) NOT NULL,
    day date NOT NULL,
    count integer NOT NULL,
    hits integer NOT NULL,
    best_cosine double precision NOT NULL,
    best_coverage double precision NOT NULL
);


--
-- Name: unit_editors; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.unit_editors (
    principal character varying(320) NOT NULL,
    unit_id character varying(200) NOT NULL,
    source character varying(10) NOT NULL
);


--
-- Name: audit_log seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN seq SET DEFAULT nextval('public.audit_log_seq_seq'::regclass);


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_keys VALUES ('import-773', 'admin', '[]', 'ea5e7a8a5491086a9fedfa6cdd1e01eb76d5eabe827c991d12a31b41fe1fe9a9', '2026-12-07 20:44:31.963374', NULL, NULL);


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_log VALUES (1, '2026-12-07 20:44:31', 'gerda.gammelskov@faxe.dk', 'Gerda Gammelskov', 'person', 'p773', 'create', '{"email": [null, "gerda.gammelskov@faxe.dk"], "expertise": [null, "gamle skemaer"], "id": [null, "p773"], "name": [null, "Gerda Gammelskov"], "title": [null, "Leder"], "unit_id": [null, "u1"]}');


--
-- Data for Name: changes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.changes VALUES (1, 'unit', 'u1');
INSERT INTO public.changes VALUES (1, 'unit', 'u2');
INSERT INTO public.changes VALUES (1, 'unit', 'u3');
INSERT INTO public.changes VALUES (1, 'unit', 'u4');
INSERT INTO public.changes VALUES (1, 'unit', 'u5');
INSERT INTO public.changes VALUES (1, 'unit', 'u6');
INSERT INTO public.changes VALUES (1, 'unit', 'u7');
INSERT INTO public.changes VALUES (1, 'unit', 'u8');
INSERT INTO public.changes VALUES (1, 'person', 'p1');
INSERT INTO public.changes VALUES (1, 'person', 'p2');
INSERT INTO public.changes VALUES (1, 'person', 'p3');
INSERT INTO public.changes VALUES (1, 'person', 'p4');
INSERT INTO public.changes VALUES (1, 'person', 'p5');
INSERT INTO public.changes VALUES (1, 'person', 'p6');
INSERT INTO public.changes VALUES (1, 'person', 'p7');
INSERT INTO public.changes VALUES (1, 'person', 'p8');
INSERT INTO public.changes VALUES (1, 'trial', 't1');
INSERT INTO public.changes VALUES (1, 'trial', 't2');
INSERT INTO public.changes VALUES (1, 'trial', 't3');
INSERT INTO public.changes VALUES (1, 'trial', 't4');
INSERT INTO public.changes VALUES (1, 'trial', 't5');
INSERT INTO public.changes VALUES (2, 'person', 'p773');


--
-- Data for Name: embeddings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.embeddings VALUES ('fake/hashing@1', '5237ba3d3aef6c5083bf7d549871cfed0352e59eaf30b1776823adf1fe6861e7', '\xa3f8a3bd00000000a3f8a3bdf4f475bea3f8a33da3f8233e00000000a3f8a3bd00000000a3f8a3bda3f8a33d00000000a3f823bea3f8a33d00000000f4f4753e0000000000000000a3f8a33da3f8a3bea3f8a3bda3f823be00000000a3f8233ea3f8a33d00000000a3f8233e00000000a3f8a3bda3f8a33da3f8a3bda3f823bea3f8a3bda3f8a33da3f8a3bda3f8233ea3f8a33da3f823bef4f4753ef4f475be00000000a3f823bef4f475bea3f823bea3f823bea3f8a33d00000000a3f8a3bda3f8a3bda3f8a33da3f8233ea3f8a3bda3f8233e0000000000000000a3f8a3bd00000000a3f8a3bda3f823bef4f475bea3f8233ea3f8a3bda3f8a3bd00000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '84fac1b65488b872980521ddad2bfccade256137154d89f1b74eaff00e7e719f', '\x1deea23d1dee22bea4a9cb3e1deea2bd000000001deea2bd1deea2bd1deea23d00000000000000001dee223e00000000000000001deea2bd2c65743e2c65743e0000000000000000000000001dee223e1dee22be1deea23d000000001deea23d1dee22be1deea23d1deea23d1deea23d000000001deea23d000000002c6574be000000001deea23d1dee223e0000000000000000000000001deea2bd000000002c6574be000000001dee223e1dee22be1dee22be1deea2bd1dee223e1deea2bd00000000000000000000000000000000000000000000000000000000000000001deea2bd000000001dee22be1deea2bd2c65743e00000000a4a9cbbe1deea2bd');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '03bf1f8de4870a67c989314df0316c2234ef96a21cac7ecec464a5d03295663a', '\x6417fcbd64177c3e00000000000000006417fc3d6417fc3d8b11bd3e000000006417fc3d000000006417fcbd6417fcbd0000000000000000000000006417fc3d64177cbe000000006417fc3d6417fcbd6417fc3d000000006417fcbd0000000000000000000000006417fc3d6417fc3d64177c3e000000006417fcbd000000006417fcbd6417fc3d00000000000000006417fc3d6417fcbd000000006417fcbd6417fcbd0000000064177cbe000000006417fc3d64177cbe000000006417fc3d6417fc3d000000006417fc3d000000000000000064177c3e64177c3e00000000000000006417fc3d6417fc3d000000006417fcbd6417fcbd6417fcbd00000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '515ac4f4a4a1713294eb544465b01dccd404a71aacd319ca0ab06d4529705563', '\xa3f823bea3f8a33da3f8a3bdf4f4753ea3f823bef4f475bef4f475bea3f8233ea3f8a3bdf4f4753e0000000000000000a3f8233ea3f8a33da3f8a33da3f8a33da3f8a3bd00000000a3f8233e00000000a3f823bea3f823bea3f8a3bda3f8a33d00000000000000000000000000000000a3f8a33da3f8a33da3f8a3bdf4f475be00000000a3f8233ea3f8a3bd0000000000000000a3f8a3bd0000000000000000a3f8a3bda3f8a3bda3f8a3bda3f8a33d00000000a3f823bea3f823bea3f8a3bdf4f4753e00000000a3f8233ea3f823bef4f4753ea3f8a3bda3f8a3bda3f8a33da3f8a33d00000000a3f823bea3f8a3bda3f8a3bda3f8a3be0000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'd10a810ef65b53a3384e2dbc30916a187be1720db92a80dffe9836d17ac02319', '\x6ed7dc3d00000000000000006ed7dc3d000000006ed7dcbd0000000000000000000000006ed7dc3d6ed75cbe000000006ed7dc3d00000000000000000000000000000000000000006ed7dc3d00000000000000006ed7dcbd6ed7dcbd6ed75cbe6ed7dcbd6ed7dc3e6ed7dc3d00000000000000006ed75cbe000000006ed7dcbd6ed7dcbd6ed7dc3d6ed7dcbd00000000000000006ed7dc3d000000006ed7dcbd6ed7dcbd6ed7dc3d6ed75cbe000000006ed7dcbd000000006ed7dcbd00000000000000000000000092a1a53e000000006ed75c3e6ed7dc3d000000006ed75cbe6ed7dcbd6ed75c3e6ed75cbe6ed75cbe6ed7dc3d000000006ed7dcbd6ed7dc3d');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '7495aa431ab29e2dd6939e8954151402e77de5863823676748c5970ae25a8ca6', '\x000000002d3cd33d000000002d3cd3bd00000000000000002d3cd3bd000000002d3cd33d2d3c53be2d3c53be2d3cd3bd00000000000000002d3cd33d2d3cd33d00000000000000002d3c533e2d3c53be2d3cd3bd000000002d3c53be2d3cd33d00000000000000002d3cd33d2d3cd3bd00000000000000002d3c53be2d3cd3bd00000000000000002d3cd33d2d3cd33d00000000226d9e3e2d3c533e2d3cd3bd2d3cd3bd000000002d3c53be2d3c53be000000002d3cd3bd000000002d3c53be2d3cd3bd2d3cd33d2d3cd33d2d3cd33d2d3c533e2d3c53be000000002d3cd3bd2d3c533e2d3cd33d2d3c53be2d3c53be2d3cd33d2d3cd3bd0000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'ac0b8bfd07178dd6e1a347e90494f59a29f09fa17b5489ff08d5b700a8191878', '\xeb26be3d00000000319d8e3e00000000eb26bebdeb26bebd00000000eb26be3d00000000eb26be3d319d8e3e0000000000000000eb263e3e000000000000000000000000eb263ebeeb263e3eeb263ebe0000000000000000eb26be3d000000000000000000000000eb26bebdeb26be3deb263e3e00000000eb26bebdeb26bebdeb26be3deb26be3d0000000000000000eb26be3deb26bebdeb26be3deb26bebdeb26bebd00000000eb263e3e319d8ebe00000000eb26be3eeb26bebd0000000000000000eb26be3deb26be3d00000000319d8ebe000000000000000000000000eb26be3d00000000eb263e3e319d8ebe00000000eb26be3deb26bebdeb263ebe');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '3db9bef4d61780b44935339595e5ae2f7a7e4e90feedcdb1c05e5db2142a5885', '\xf304b5bdf304b5bdf304b5bdf30435bef304353e00000000f304b53df304b5bdf304353ef304b53d0000000000000000f30435be00000000f304b53d3046e23e0000000000000000f304b53df30435bef304b5bd000000000000000000000000f304b53d00000000f304b53df304b5bdf304b5bd00000000f304b53df304b5bd0000000000000000f304b5bdf304b53d00000000f304b5bd00000000f304b5bd000000000000000000000000f304b5bef304b53df30435bef30435bef304b53d000000003046e23e00000000f304353e00000000000000000000000000000000f304b53df304b53df304b5bdf30435bef304b5bd0000000000000000f304b53d');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '2e0092960186fc2a0d2b87923d94c2424e19d2ee1a4ab78427f6056cf4a847c5', '\x0000000000000000435bf83d00000000435bf8bd435bf8bd00000000435bf8bd435bf8bd00000000435bf83d00000000435bf8bd435bf83d00000000000000000000000000000000435bf83d0000000000000000435b78be00000000435b783e435bf83d435bf8bd435b783e00000000435bf8bd00000000435bf8bd0000000000000000435b783e435b78be435bf83d435bf83d00000000435b783e000000000000000000000000435b78be0000000000000000435bf83d00000000000000000000000000000000435b783e435bf8bd435bf83d00000000435bf83d435b78be435bf83d00000000435bf8bd435b78be435bf83d435b78be435bf8bd435bf8bd');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'be6d199e81967982853203a0ce6db7153d059af647f7a94cd02ca6498104c38c', '\xd5000e3e00000000d5000e3ed5000ebe00000000000000000000000000000000d5000e3ed5000ebe000000000000000000000000d5000e3ed5000e3e4001d53e000000000000000000000000d5000ebe00000000d5000ebe0000000000000000d5000ebe00000000d5000e3ed5000e3e00000000d5000e3ed5000e3e0000000000000000d5000e3ed5000e3ed5000ebed5000e3ed5000ebe00000000d5000ebed5000e3e0000000000000000000000000000000000000000d5000e3e00000000d5000e3e00000000d5000e3ed5000ebe00000000d5000ebed5000e3e00000000d5000ebe00000000d5000ebed5000ebe4001d53e00000000d5008ebe00000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '9436bf2183b9f40c6c021d8e1724b9f9a4aac921309123d2b69bd2b8f56be74b', '\x00000000abaa2a3e0000000000000000abaa2a3e00000000000000000000000000000000abaa2abe00000000000000000000000000000000abaa2a3e00000000abaa2a3e0000000000000000abaaaa3e000000000000000000000000abaaaabeabaa2abe0000000000000000abaa2a3eabaa2abe0000000000000000abaa2abe00000000abaa2a3e0000000000000000abaa2a3eabaa2abe00000000abaa2abe00000000abaa2a3eabaa2abe00000000abaa2a3eabaa2abe0000000000000000abaa2a3e00000000abaaaa3eabaa2abe0000000000000000abaa2abe000000000000000000000000abaa2a3eabaa2a3e00000000abaa2abe00000000abaa2abe');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'a52de9115627645a15d056d8b0f9f82874b337e2b98ad7b6261557e5c92971aa', '\x0000000000000000000000009be8213e0000000000000000000000009be821be9be8213e9be8a13e000000000000000000000000000000009be8a13e9be8213e000000000000000000000000000000009be821be00000000000000009be8213e9be821be00000000000000009be821be00000000000000009be8213e9be821be000000009be8213e0000000000000000000000000000000000000000000000009be821be9be821be9be8a1be00000000000000009be8213e9be821be9be821be000000009be821be9be8a13e00000000000000000000000000000000000000009be821be00000000000000009be821be000000009be821be9be8a13e00000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '9117b776cb61e2f520b3f3cc1ce1e375f72da50bdaabddac509adbafb61ff153', '\x48590b3e48590b3e0000000048590b3e000000000000000048598bbe48590b3e0000000048590bbe00000000000000000000000048590b3e48590bbe0000000048590b3e00000000000000000000000048590b3e48598bbe000000000000000048590bbe48598b3e48598b3e000000000000000048590bbe48590b3e0000000048590b3e48590b3e000000000000000000000000000000000000000048590bbe000000000000000048590bbe0000000048590bbe0000000000000000000000000000000000000000eb05d13e48590bbe000000000000000048590b3e48598bbe48598b3e00000000000000000000000048590b3e48590bbe0000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'a22720171811558fa68d87f56d944615dbcb5ba17c5e0e72c245c0e9f9631d72', '\x000000000000000064177c3e6417fcbd00000000000000000000000000000000000000000000000064177c3e64177c3e00000000000000006417fc3d64177c3e000000006417fcbd0000000064177cbe000000000000000064177c3e6417fcbd6417fc3d000000006417fcbd6417fcbd8b11bd3e000000000000000000000000000000006417fcbd00000000000000006417fcbd000000000000000000000000000000000000000064177c3e64177cbe0000000064177c3e000000006417fcbd6417fcbd00000000000000000000000000000000000000000000000000000000000000000000000064177c3e6417fcbd000000006417fc3d0000000064177cbe');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '6db5479c59e92ed4fd05b3aad21c2881944fece7bc3df37cc9b1bab7eddc19e2', '\x000000000000000000000000000000005f1d263e00000000000000005f1d26be000000005f1da63e000000000000000000000000000000000000000000000000000000005f1da6be000000005f1da6be00000000000000000000000000000000000000005f1d26be0000000000000000000000005f1d26be5f1d26be0000000000000000000000000000000000000000000000000000000000000000000000005f1d26be5f1d263e000000005f1d26be000000005f1da6be000000005f1d26be5f1d26be0f2cf93e0000000000000000000000005f1d263e000000005f1d26be00000000000000005f1d26be0000000000000000000000000000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'd5572fea71259a1c742bdbed230e888a81aaf94bceea9acf26baeecbe1f6389f', '\x00000000000000000000000048590b3e0000000000000000000000000000000048598b3e000000000000000048590b3e000000000000000000000000000000000000000048590b3e0000000048590b3e0000000000000000000000000000000048590bbe48590bbe48590b3e48590b3e00000000eb05d13e48590b3e000000000000000000000000eb05d13e000000000000000000000000000000000000000048590bbe48590bbe48590bbeeb05d1be0000000048598bbe0000000048590bbe48590bbe0000000048590b3e0000000048590b3e000000000000000048590bbe0000000048590bbe0000000048590bbe00000000000000000000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '5d614411c0b168a190e4f5039c72a66520a9170e209878f94a4cdba940a40dc4', '\xcfe0d73dcfe0d73d0000000000000000cfe0573ecfe0d7bd000000000000000000000000cfe0d73dcfe0d73dcfe0d7bdcfe0d7bdcfe057becfe0d73dcfe0d73d00000000cfe0d7bdcfe0573ecfe0d73d00000000cfe057be00000000cfe0d73dcfe0d73d00000000000000009be8a13ecfe0d7bdcfe0d73dcfe0d7bdcfe0d73dcfe0d73dcfe0d73dcfe057becfe0d73dcfe0573ecfe0d7bdcfe0573ecfe057be000000009be8a13ecfe0d7bd0000000000000000cfe0d73d00000000cfe0d7bdcfe0d73dcfe0573ecfe0d73dcfe0d7bdcfe0573ecfe0d7bd00000000cfe0d73d0000000000000000cfe0d7bdcfe0d73d00000000cfe0d73d0000000000000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '9dccfdd385bc1723e41885da0499051d98329166fb6c54e8cff7e04bce815030', '\x00000000cfe0573e0000000000000000cfe0d73dcfe0d7bdcfe0d7bdcfe0d73dcfe0d73d00000000cfe0d73d9be8a1be9be8a13ecfe0d73d00000000cfe0d7bdcfe0d7bdcfe0d7bd00000000cfe0d73d0000000000000000cfe0d73dcfe0d7bd0000000000000000cfe0d73dcfe0573ecfe0d73d0000000000000000000000000000000000000000cfe0d7bdcfe0d73dcfe0d73ecfe0d7bd00000000cfe057be0000000000000000cfe057be000000000000000000000000000000000000000000000000cfe0d7bdcfe0573e00000000cfe0d73d00000000cfe0d7bdcfe0d7bd000000009be8a13ecfe0d73d00000000cfe0d73dcfe0d7bdcfe0d7bdcfe0d73d');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', '1194377cc322e4b9bc49fc95f8be5ced19657d65c1e4e45f3666918f865ee714', '\x77d688be000000004a73b63d4a73363e4a73b6bd4a7336be4a7336be4a73b63d000000004a73363e0000000000000000000000004a73b63d4a73363e4a73b63d00000000000000004a73b63d000000004a7336be00000000000000004a73b63d000000004a73b6bd00000000000000000000000077d6883e000000004a73b6bd4a73b63d000000004a7336be4a73b63d000000004a73b6bd4a73b6bd000000004a73b6bd000000004a73b6bd4a73b63d000000004a7336be77d688be000000004a73b6bd000000004a73363e4a7336be4a73b63e000000004a73b6bd4a7336be000000004a73b6bd4a73b6bd4a73b6bd4a73b6bd4a73b6be4a73b63d00000000');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'eb1e99832a6b95b6a96ddea24cf032dffc38d613f269c7a051beb18217761d6a', '\xcfe0d73d00000000cfe0d7bdcfe0d73dcfe0d73d9be8a1becfe057be000000000000000000000000cfe0d73d00000000cfe0d73dcfe057be0000000000000000cfe0573e00000000cfe0d73dcfe0d7bdcfe0d73dcfe0d7bd0000000000000000cfe0d7bdcfe0573ecfe0573e00000000cfe0d73d00000000cfe0d7bdcfe0d7bd00000000cfe0d73dcfe057be00000000cfe0d73d000000000000000000000000cfe0d73d00000000cfe057becfe0573ecfe0d7bdcfe0d7bdcfe057becfe0573ecfe0d7bd00000000cfe0573ecfe0d7bdcfe0d73d0000000000000000cfe057be00000000cfe0573ecfe057be00000000cfe0d73dcfe0d7bd00000000cfe0d73d');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'fef64ea34826c718ee3475c6c09f84e067d0bdc35daa9d30c9bb724629987116', '\x0000000000000000000000000000000000000000317506be0000000000000000000000003175063e000000000000000000000000317506be3175063e3175863e000000003175063e000000003175063e317506be000000000000000000000000317506be000000003175063e3175063e000000003175863e000000000000000000000000000000003175063e000000003175063e3175863e00000000317586be317506be00000000317506be317586be317506be317506be00000000317586be00000000000000003175063e317506becaafc93e317506be3175063e317506be3175063e3175063e00000000317506be000000000000000000000000317506be');
INSERT INTO public.embeddings VALUES ('fake/hashing@1', 'a94d1dbbfa3f7b7780a5dc273d9e04a392b5e3302fbc02657e7d6f708cb15bbe', '\xbaf43abe0000000000000000baf43a3ebaf43a3e000000000000000000000000baf43abe00000000000000000000000000000000baf43abe00000000000000000000000000000000baf43abe00000000baf43abe00000000baf43abe00000000baf43abebaf43abebaf43a3e00000000baf43abe00000000baf43a3e0000000000000000baf4ba3e0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000baf43a3e00000000000000000000000000000000baf43a3ebaf43abebaf43a3e00000000000000000000000000000000baf43abebaf43abebaf43abebaf43a3ebaf4babebaf43a3e00000000');


--
-- Data for Name: freshness; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.freshness VALUES ('person', 'p1', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p2', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p3', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p4', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p5', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p6', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p7', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p8', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('trial', 't1', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('trial', 't2', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('trial', 't3', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('trial', 't4', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('trial', 't5', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u1', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u2', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u3', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u4', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u5', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u6', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u7', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('unit', 'u8', '2026-12-07 20:44:31', 'import');
INSERT INTO public.freshness VALUES ('person', 'p773', '2026-12-07 20:44:31', 'Gerda Gammelskov');


--
-- Data for Name: log_head; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.log_head VALUES (1, '3a258b72-dc47-4654-b97f-1859f4fc23d1', 2);


--
-- Data for Name: records; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.records VALUES ('unit', 'u1', '{"area": "Ældre og sundhed", "competencies": "velfærdsteknologi;skærmbesøg;nattevagter", "contact_email": "leho@faxekommune.dk", "contact_name": "Lene Holm", "description": "Vi passer ældre borgere i eget hjem om natten. Som de første i kommunen har vi indført skærmbesøg, så borgeren kan få et opkald på tablet i stedet for et fysisk besøg.", "id": "u1", "name": "Nat-hjemmeplejen", "organisation": "Faxe Kommune", "phone": "56 20 30 01", "sector": "kommune"}', NULL, '5237ba3d3aef6c5083bf7d549871cfed0352e59eaf30b1776823adf1fe6861e7');
INSERT INTO public.records VALUES ('unit', 'u2', '{"area": "Borgerservice", "competencies": "MitID;pas;kørekort", "contact_email": "jeba@faxekommune.dk", "contact_name": "Jens Bak", "description": "Borgerservice hjælper med pas, kørekort, sundhedskort og MitID. Hver tirsdag har vi drop-in, hvor pensionister får hjælp til at logge på det offentlige.", "id": "u2", "name": "Borgerservice Haslev", "organisation": "Faxe Kommune", "phone": "56 20 30 02", "sector": "kommune"}', NULL, '84fac1b65488b872980521ddad2bfccade256137154d89f1b74eaff00e7e719f');
INSERT INTO public.records VALUES ('unit', 'u3', '{"area": "Administration", "competencies": "klarsprog;presse;sociale medier", "contact_email": "meda@faxekommune.dk", "contact_name": "Mette Dal", "description": "Vi skriver til borgerne i et sprog, de forstår. Vores klarsprogsprojekt har omskrevet 200 standardbreve, og vi uddanner klarsprogsambassadører i alle afdelinger.", "id": "u3", "name": "Kommunikation", "organisation": "Faxe Kommune", "phone": "56 20 30 03", "sector": "kommune"}', NULL, '03bf1f8de4870a67c989314df0316c2234ef96a21cac7ecec464a5d03295663a');
INSERT INTO public.records VALUES ('unit', 'u4', '{"area": "Digitalisering og IT", "competencies": "Power BI;datavisualisering;prognoser", "contact_email": "alde@faxekommune.dk", "contact_name": "Ali Demir", "description": "Vi bygger Power BI-dashboards til ledere og laver befolkningsprognoser for hver by. Hver måned holder vi datakaffe, hvor ledere lærer at læse tal.", "id": "u4", "name": "Data og Analyse", "organisation": "Faxe Kommune", "phone": "56 20 30 04", "sector": "kommune"}', NULL, '515ac4f4a4a1713294eb544465b01dccd404a71aacd319ca0ab06d4529705563');
INSERT INTO public.records VALUES ('unit', 'u5', '{"area": "Skole og uddannelse", "competencies": "udeskole;natur;trivsel", "contact_email": "kalu@faxekommune.dk", "contact_name": "Karin Lund", "description": "En folkeskole med 400 elever. Én dag om ugen har alle klasser udeskole i skoven ved skolen, hvor vi har bålplads og udeklasseværelse.", "id": "u5", "name": "Østervangskolen", "organisation": "Faxe Kommune", "phone": "56 20 30 05", "sector": "kommune"}', NULL, 'd10a810ef65b53a3384e2dbc30916a187be1720db92a80dffe9836d17ac02319');
INSERT INTO public.records VALUES ('unit', 'u6', '{"area": "Ældre og sundhed", "competencies": "velfærdsteknologi;sensorer;implementering", "contact_email": "bo.krag@koege.dk", "contact_name": "Bo Krag", "description": "Vi tester og udbreder teknologi i ældreplejen: skærmbesøg i hjemmeplejen, sensorer der opdager fald om natten og spiserobotter på plejecentrene.", "id": "u6", "name": "Velfærdsteknologisk Enhed", "organisation": "Køge Kommune", "phone": "56 67 10 00", "sector": "kommune"}', NULL, '7495aa431ab29e2dd6939e8954151402e77de5863823676748c5970ae25a8ca6');
INSERT INTO public.records VALUES ('unit', 'u7', '{"area": "Digitalisering og IT", "competencies": "MitID;digital inklusion;borger.dk", "contact_email": "savi@digst.dk", "contact_name": "Sara Vinther", "description": "Vi har ansvaret for MitID og borger.dk og samarbejder med kommunernes borgerservice om borgere, der har svært ved det digitale.", "id": "u7", "name": "Digitaliseringsstyrelsen – MitID", "organisation": "Digitaliseringsstyrelsen", "phone": "33 92 52 00", "sector": "stat"}', NULL, 'ac0b8bfd07178dd6e1a347e90494f59a29f09fa17b5489ff08d5b700a8191878');
INSERT INTO public.records VALUES ('unit', 'u8', '{"area": "Ældre og sundhed", "competencies": "akutsygepleje;triage;udskrivning", "contact_email": "pefr@regionsjaelland.dk", "contact_name": "Peter Friis", "description": "Akutmodtagelsen på Sjællands Universitetshospital tager imod akut syge døgnet rundt. Vi har udgående akutsygeplejersker, der besøger ældre i eget hjem.", "id": "u8", "name": "Akutmodtagelsen Køge", "organisation": "Region Sjælland", "phone": "47 32 32 00", "sector": "region"}', NULL, '3db9bef4d61780b44935339595e5ae2f7a7e4e90feedcdb1c05e5db2142a5885');
INSERT INTO public.records VALUES ('person', 'p1', '{"email": "leho@faxekommune.dk", "expertise": "Har indført skærmbesøg om natten og lærer gerne andre kommuner op", "id": "p1", "name": "Lene Holm", "title": "Teamleder", "unit_id": "u1"}', 'u1', '2e0092960186fc2a0d2b87923d94c2424e19d2ee1a4ab78427f6056cf4a847c5');
INSERT INTO public.records VALUES ('person', 'p2', '{"email": "jeba@faxekommune.dk", "expertise": "MitID-support til ældre borgere;pas og kørekort", "id": "p2", "name": "Jens Bak", "title": "Borgerservicemedarbejder", "unit_id": "u2"}', 'u2', 'be6d199e81967982853203a0ce6db7153d059af647f7a94cd02ca6498104c38c');
INSERT INTO public.records VALUES ('person', 'p3', '{"email": "meda@faxekommune.dk", "expertise": "klarsprog;breve til borgere;kurser i klart sprog", "id": "p3", "name": "Mette Dal", "title": "Kommunikationsmedarbejder", "unit_id": "u3"}', 'u3', '9436bf2183b9f40c6c021d8e1724b9f9a4aac921309123d2b69bd2b8f56be74b');
INSERT INTO public.records VALUES ('person', 'p4', '{"email": "alde@faxekommune.dk", "expertise": "Power BI;Python;KL''s nøgletal", "id": "p4", "name": "Ali Demir", "title": "Dataanalytiker", "unit_id": "u4"}', 'u4', 'a52de9115627645a15d056d8b0f9f82874b337e2b98ad7b6261557e5c92971aa');
INSERT INTO public.records VALUES ('person', 'p5', '{"email": "kalu@faxekommune.dk", "expertise": "Udeskole og natur i undervisningen;bål og friluftsliv", "id": "p5", "name": "Karin Lund", "title": "Lærer", "unit_id": "u5"}', 'u5', '9117b776cb61e2f520b3f3cc1ce1e375f72da50bdaabddac509adbafb61ff153');
INSERT INTO public.records VALUES ('person', 'p6', '{"email": "savi@digst.dk", "expertise": "MitID;NemID-overgangen;digital inklusion af ældre", "id": "p6", "name": "Sara Vinther", "title": "Specialkonsulent", "unit_id": "u7"}', 'u7', 'a22720171811558fa68d87f56d944615dbcb5ba17c5e0e72c245c0e9f9631d72');
INSERT INTO public.records VALUES ('person', 'p7', '{"email": "pefr@regionsjaelland.dk", "expertise": "Udgående akutsygepleje;triage;samarbejde med hjemmeplejen", "id": "p7", "name": "Peter Friis", "title": "Akutsygeplejerske", "unit_id": "u8"}', 'u8', '6db5479c59e92ed4fd05b3aad21c2881944fece7bc3df37cc9b1bab7eddc19e2');
INSERT INTO public.records VALUES ('person', 'p8', '{"email": "yaob@koege.dk", "expertise": "Spiserobotter og hjælpemidler;træning i eget hjem", "id": "p8", "name": "Yasmin Øberg", "title": "Ergoterapeut", "unit_id": "u6"}', 'u6', 'd5572fea71259a1c742bdbed230e888a81aaf94bceea9acf26baeecbe1f6389f');
INSERT INTO public.records VALUES ('trial', 't1', '{"description": "Borgere der sover dårligt, får et kort videoopkald om natten i stedet for at blive vækket af et besøg.", "id": "t1", "learnings": "Borgerne sov bedre og vi sparede kørsel. Det kræver god oplæring af nattevagterne.", "status": "afsluttet", "title": "Skærmbesøg om natten", "unit_id": "u1", "year": "2021"}', 'u1', '5d614411c0b168a190e4f5039c72a66520a9170e209878f94a4cdba940a40dc4');
INSERT INTO public.records VALUES ('trial', 't2', '{"description": "Vi omskrev rykkerbreve sammen med borgere, der havde fået dem.", "id": "t2", "learnings": "Færre borgere ringede og spurgte; flere betalte til tiden.", "status": "afsluttet", "title": "Klarsprog i rykkerbreve", "unit_id": "u3", "year": "2022"}', 'u3', '9dccfdd385bc1723e41885da0499051d98329166fb6c54e8cff7e04bce815030');
INSERT INTO public.records VALUES ('trial', 't3', '{"description": "Hver måned mødes ledere til kaffe og lærer at læse deres egne tal i Power BI.", "id": "t3", "learnings": "Lederne kommer når temaet er deres eget område.", "status": "igangværende", "title": "Datakaffe for ledere", "unit_id": "u4", "year": "2024"}', 'u4', '1194377cc322e4b9bc49fc95f8be5ced19657d65c1e4e45f3666918f865ee714');
INSERT INTO public.records VALUES ('trial', 't4', '{"description": "Alle klasser har undervisning i skoven en dag om ugen.", "id": "t4", "learnings": "Eleverne er mere rolige; det kræver faste rammer.", "status": "igangværende", "title": "Udeskole hver onsdag", "unit_id": "u5", "year": "2023"}', 'u5', 'eb1e99832a6b95b6a96ddea24cf032dffc38d613f269c7a051beb18217761d6a');
INSERT INTO public.records VALUES ('trial', 't5', '{"description": "Borgere med rystende hænder får hjælp af en spiserobot til at spise selv.", "id": "t5", "learnings": "", "status": "planlagt", "title": "Spiserobot på plejecentret", "unit_id": "u6", "year": "2026"}', 'u6', 'fef64ea34826c718ee3475c6c09f84e067d0bdc35daa9d30c9bb724629987116');
INSERT INTO public.records VALUES ('person', 'p773', '{"email": "gerda.gammelskov@faxe.dk", "expertise": "gamle skemaer", "id": "p773", "name": "Gerda Gammelskov", "title": "Leder", "unit_id": "u1"}', 'u1', 'a94d1dbbfa3f7b7780a5dc273d9e04a392b5e3302fbc02657e7d6f708cb15bbe');


--
-- Data for Name: search_gaps; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.search_gaps VALUES ('gamle skemaer om natten', '2026-12-05', 1, 0, 0.1, 0);


--
-- Data for Name: unit_editors; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.unit_editors VALUES ('gerda.gammelskov@faxe.dk', 'u1', 'admin');


--
-- Name: audit_log_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_log_seq_seq', 1, true);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (name);


--
-- Name: api_keys api_keys_secret_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_secret_sha256_key UNIQUE (secret_sha256);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq);


--
-- Name: changes changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.changes
    ADD CONSTRAINT changes_pkey PRIMARY KEY (revision, kind, id);


--
-- Name: embeddings embeddings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_pkey PRIMARY KEY (model_id, content_hash);


--
-- Name: freshness freshness_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.freshness
    ADD CONSTRAINT freshness_pkey PRIMARY KEY (kind, id);


--
-- Name: log_head log_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.log_head
    ADD CONSTRAINT log_head_pkey PRIMARY KEY (id);


--
-- Name: records records_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.records
    ADD CONSTRAINT records_pkey PRIMARY KEY (kind, id);


--
-- Name: search_gaps search_gaps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_gaps
    ADD CONSTRAINT search_gaps_pkey PRIMARY KEY (query, day);


--
-- Name: unit_editors unit_editors_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_editors
    ADD CONSTRAINT unit_editors_pkey PRIMARY KEY (principal, unit_id, source);


--
-- Name: ix_audit_log_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_log_at ON public.audit_log USING btree (at);


--
-- Name: ix_audit_log_record_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_log_record_id ON public.audit_log USING btree (record_id);


--
-- Name: ix_freshness_confirmed_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_freshness_confirmed_at ON public.freshness USING btree (confirmed_at);


--
-- Name: ix_records_content_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_records_content_hash ON public.records USING btree (content_hash);


--
-- Name: ix_records_unit_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_records_unit_id ON public.records USING btree (unit_id);


--
-- Name: ix_search_gaps_day; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_search_gaps_day ON public.search_gaps USING btree (day);


--
-- PostgreSQL database dump complete
--


