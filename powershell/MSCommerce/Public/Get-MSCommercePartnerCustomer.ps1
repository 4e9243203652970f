function Get-MSCommercePartnerCustomer {
    <#
    .SYNOPSIS
        Lists the partner organization's customers and its delegated admin relationships with each.

    .DESCRIPTION
        Calls GET /v1.0/partner/customers as the signed-in partner: every organization the partner has asked for
        roles, whether a relationship with it is active now (the partner may act for it), the roles the active
        ones grant, and every relationship (pending, active, expired, ended). Pipe the customers, or their
        TenantId, to the policy commands' -TenantId to act for each of them. Needs Global Administrator or
        Global Reader, or an application with a Policy permission.

    .PARAMETER ActiveOnly
        Only the customers with an active relationship.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommercePartnerCustomer

        Lists the customers, with the roles each granted.

    .EXAMPLE
        Get-MSCommercePartnerCustomer -ActiveOnly | Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -WhatIf

        Shows, for each customer with an active relationship, which products the baseline would disable.

    .EXAMPLE
        Get-MSCommercePartnerCustomer | Where-Object -FilterScript { -not $_.HasActiveRelationship } | Select-Object -Property DisplayName, TenantId

        Lists the customers the partner may not act for now (pending, expired or ended relationships).

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.PartnerCustomer. Properties: TenantId, DisplayName, HasActiveRelationship, GrantedRoles,
        Relationships.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.PartnerCustomer')]
    param(
        [Parameter()]
        [switch]$ActiveOnly,

        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    $splatList = @{
        Method       = 'GET'
        Path         = '/v1.0/partner/customers'
        Token        = $Token
        ErrorContext = 'Failed to retrieve the partner''s customers'
    }
    try {
        $customers = @((Invoke-MSCommerceRestMethod @splatList).items)
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    foreach ($customer in $customers) {
        if ($ActiveOnly -and -not $customer.hasActiveRelationship) {
            continue
        }
        [pscustomobject]@{
            PSTypeName            = 'MSCommerce.PartnerCustomer'
            TenantId              = [string]$customer.tenantId
            DisplayName           = [string]$customer.displayName
            HasActiveRelationship = [bool]$customer.hasActiveRelationship
            GrantedRoles          = @($customer.grantedRoles)
            Relationships         = @($customer.relationships)
        }
    }
}
