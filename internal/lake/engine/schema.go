package engine

// schemaDDL is the column list of a store's table: the CloudTrail event schema of
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-supported-event-schemas.html with
// its types (eventtime a timestamp, requestparameters a map of strings whose nested JSON values are
// JSON text, useridentity a row, resources an array of rows). eventcontext is not in the published
// schema but AWS's query generator reads it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/lake-query-generator.html).
const schemaDDL = `(
	eventversion VARCHAR,
	useridentity STRUCT(
		"type" VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, accesskeyid VARCHAR,
		username VARCHAR,
		sessioncontext STRUCT(
			attributes STRUCT(creationdate TIMESTAMP, mfaauthenticated VARCHAR),
			sessionissuer STRUCT("type" VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR),
			webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR)),
			sourceidentity VARCHAR, ec2roledelivery VARCHAR, ec2issuedinvpc VARCHAR),
		onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR),
		inscopeof STRUCT(sourcearn VARCHAR, sourceaccount VARCHAR, issuertype VARCHAR, credentiaisissuedto VARCHAR),
		invokedby VARCHAR, identityprovider VARCHAR),
	eventtime TIMESTAMP,
	eventsource VARCHAR, eventname VARCHAR, awsregion VARCHAR, sourceipaddress VARCHAR, useragent VARCHAR,
	errorcode VARCHAR, errormessage VARCHAR,
	requestparameters MAP(VARCHAR, VARCHAR), responseelements MAP(VARCHAR, VARCHAR),
	additionaleventdata MAP(VARCHAR, VARCHAR),
	requestid VARCHAR, eventid VARCHAR, readonly BOOLEAN,
	resources STRUCT(accountid VARCHAR, "type" VARCHAR, arn VARCHAR, arnprefix VARCHAR)[],
	eventtype VARCHAR, apiversion VARCHAR, managementevent BOOLEAN,
	recipientaccountid VARCHAR, sharedeventid VARCHAR, annotation VARCHAR, vpcendpointid VARCHAR,
	vpcendpointaccountid VARCHAR,
	serviceeventdetails MAP(VARCHAR, VARCHAR), addendum MAP(VARCHAR, VARCHAR),
	edgedevicedetails MAP(VARCHAR, VARCHAR), insightdetails MAP(VARCHAR, VARCHAR),
	eventcategory VARCHAR,
	tlsdetails STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR),
	sessioncredentialfromconsole VARCHAR,
	eventjson VARCHAR, eventjsonchecksum VARCHAR,
	eventcontext STRUCT(tagcontext STRUCT(
		principaltags MAP(VARCHAR, VARCHAR),
		resourcetags STRUCT(arn VARCHAR, tags MAP(VARCHAR, VARCHAR))[]))
)`
