"""CRM connectors behind one small interface (base.Connector), one class per CRM."""

from integrations.connectors.base import Connector, ConnectorError
from integrations.models import CrmIntegration, CrmKind


def connector_class(kind: str) -> type[Connector]:
    if kind == CrmKind.HUBSPOT:
        from integrations.connectors.hubspot import HubSpotConnector

        return HubSpotConnector
    if kind == CrmKind.SALESFORCE:
        from integrations.connectors.salesforce import SalesforceConnector

        return SalesforceConnector
    if kind == CrmKind.TOTAL_EXPERT:
        from integrations.connectors.totalexpert import TotalExpertConnector

        return TotalExpertConnector
    raise ValueError(f"No connector for {kind!r}.")


def get_connector(integration: CrmIntegration) -> Connector:
    return connector_class(integration.kind)(integration)


__all__ = ["Connector", "ConnectorError", "connector_class", "get_connector"]
