#include "tree/item_kinds.h"

namespace honeyvt::tree {
namespace {

constexpr std::array<KindSpec, kKindCount> kSpecs = {{
    {Kind::kP0f, "p0fs", "t.connection",
     "t.p0f_genre, t.p0f_detail, t.p0f_uptime, t.p0f_tos, t.p0f_dist, t.p0f_nat, t.p0f_fw",
     "p0fs AS t", "t.rowid"},
    {Kind::kDcerpcBind, "dcerpcbinds", "t.connection",
     "t.dcerpcbind_uuid, s.dcerpcservice_name, t.dcerpcbind_transfersyntax",
     "dcerpcbinds AS t LEFT OUTER JOIN dcerpcservices AS s "
     "ON (t.dcerpcbind_uuid = s.dcerpcservice_uuid)",
     "t.rowid"},
    {Kind::kDcerpcRequest, "dcerpcrequests", "t.connection",
     "t.dcerpcrequest_uuid, s.dcerpcservice_name, t.dcerpcrequest_opnum, "
     "o.dcerpcserviceop_name, o.dcerpcserviceop_vuln",
     "dcerpcrequests AS t LEFT OUTER JOIN dcerpcservices AS s "
     "ON (t.dcerpcrequest_uuid = s.dcerpcservice_uuid) "
     "LEFT OUTER JOIN dcerpcserviceops AS o ON (s.dcerpcservice = o.dcerpcservice "
     "AND t.dcerpcrequest_opnum = o.dcerpcserviceop_opnum)",
     "t.rowid"},
    {Kind::kProfile, "emu_profiles", "t.connection", "t.emu_profile_json", "emu_profiles AS t",
     "t.rowid"},
    {Kind::kOffer, "offers", "t.connection", "t.offer_url", "offers AS t", "t.rowid"},
    {Kind::kDownload, "downloads", "t.connection", "t.download_md5_hash, t.download_url",
     "downloads AS t", "t.rowid"},
    {Kind::kService, "emu_services", "t.connection", "t.emu_service_url", "emu_services AS t",
     "t.rowid"},
    {Kind::kLogin, "logins", "t.connection", "t.login_username, t.login_password", "logins AS t",
     "t.rowid"},
    {Kind::kMssqlFingerprint, "mssql_fingerprints", "t.connection",
     "t.mssql_fingerprint_hostname, t.mssql_fingerprint_appname, "
     "t.mssql_fingerprint_cltintname",
     "mssql_fingerprints AS t", "t.rowid"},
    {Kind::kMssqlCommand, "mssql_commands", "t.connection",
     "t.mssql_command_status, t.mssql_command_cmd", "mssql_commands AS t", "t.rowid"},
    {Kind::kMysqlCommand, "mysql_commands", "t.connection",
     "t.mysql_command, t.mysql_command_cmd, o.mysql_command_op_name",
     "mysql_commands AS t LEFT OUTER JOIN mysql_command_ops AS o "
     "ON (t.mysql_command_cmd = o.mysql_command_cmd)",
     "t.rowid"},
    {Kind::kSip, "sip_commands", "t.connection",
     "t.sip_command, t.sip_command_method, t.sip_command_call_id, t.sip_command_user_agent",
     "sip_commands AS t", "t.rowid"},
}};

constexpr std::array<SipPartSpec, kSipPartCount> kSipSpecs = {{
    {SipPart::kAddrs, "sip_addrs",
     "sip_addr_type, sip_addr_display_name, sip_addr_uri_scheme, sip_addr_uri_user, "
     "sip_addr_uri_host, sip_addr_uri_port"},
    {SipPart::kVias, "sip_vias", "sip_via_protocol, sip_via_address, sip_via_port"},
    {SipPart::kOrigins, "sip_sdp_origins",
     "sip_sdp_origin_username, sip_sdp_origin_sess_id, sip_sdp_origin_sess_version, "
     "sip_sdp_origin_nettype, sip_sdp_origin_addrtype, sip_sdp_origin_unicast_address"},
    {SipPart::kConnectionDatas, "sip_sdp_connectiondatas",
     "sip_sdp_connectiondata_nettype, sip_sdp_connectiondata_addrtype, "
     "sip_sdp_connectiondata_connection_address, sip_sdp_connectiondata_ttl, "
     "sip_sdp_connectiondata_number_of_addresses"},
    {SipPart::kMedias, "sip_sdp_medias",
     "sip_sdp_media_media, sip_sdp_media_port, sip_sdp_media_number_of_ports, "
     "sip_sdp_media_proto"},
}};

}  // namespace

const KindSpec& SpecOf(Kind kind) { return kSpecs[static_cast<std::size_t>(kind)]; }
const SipPartSpec& SpecOf(SipPart part) { return kSipSpecs[static_cast<std::size_t>(part)]; }

std::string PointSql(const KindSpec& s) {
  return std::string("SELECT ") + s.key + ", " + s.columns + " FROM " + s.from + " WHERE " + s.key +
         " = ?1 ORDER BY " + s.rowid;
}

std::string RangeSql(const KindSpec& s) {
  return std::string("SELECT ") + s.key + ", " + s.columns + " FROM " + s.from + " WHERE " + s.key +
         " >= ?1 AND " + s.key + " <= ?2 ORDER BY " + s.key + ", " + s.rowid;
}

}  // namespace honeyvt::tree
