function New-MSCommerceDomain {
    <#
    .SYNOPSIS
        Adds a domain to the organization, so that users can be made in it.

    .DESCRIPTION
        Calls POST /v1.0/domains with {"id"}. The domain is treated as verified (the service has no DNS record to
        check). A domain that is this or another organization's is refused with DomainInUse. Domains are not
        removed, so PowerShell asks first only when $ConfirmPreference is Medium or lower. Needs Global
        Administrator.

    .PARAMETER DomainId
        The domain name, such as contoso.com. Binds from piped objects by property name.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommerceDomain -DomainId 'contoso.com'

        Adds contoso.com; users such as ann@contoso.com can then be made.

    .EXAMPLE
        Import-Csv -Path './domains.csv' | New-MSCommerceDomain -WhatIf

        Shows which domains of a CSV file with a DomainId column would be added.

    .INPUTS
        System.String. Domain names, by property name (DomainId).

    .OUTPUTS
        MSCommerce.Domain.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.Domain')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$DomainId,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("Domain '$DomainId'", 'Add it to the organization (it cannot be removed)')) {
            return
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/domains'
            Body         = @{ id = $DomainId }
            Token        = $Token
            ErrorContext = "Failed to add domain '$DomainId'"
            TargetObject = $DomainId
        }
        try {
            $domain = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceDomain -InputObject $domain
    }
}
