function New-MSCommerceUser {
    <#
    .SYNOPSIS
        Creates a user in the organization.

    .DESCRIPTION
        Calls POST /v1.0/users with {"userPrincipalName", "displayName", "userType", "password", "roles"}. The
        sign-in name must be in one of the organization's domains (Get-MSCommerceDomain), otherwise the service
        answers UpnDomainNotInTenant. Without -Password the service generates one and answers it once, as the
        InitialPassword property of the object written. Only a Global Administrator gives roles. Needs Global
        Administrator or User Administrator.

    .PARAMETER UserPrincipalName
        The sign-in name, such as ann@contoso.onmicrosoft.com. Binds from piped objects by property name.

    .PARAMETER DisplayName
        The name people see. Binds from piped objects by property name.

    .PARAMETER UserType
        Member (the default) or Guest.

    .PARAMETER Password
        The first password: at least 12 characters, not a common password.

    .PARAMETER Role
        Directory roles to give, by name or role template ID (GlobalAdministrator, BillingAdministrator,
        GlobalReader, LicenseAdministrator, UserAdministrator).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommerceUser -UserPrincipalName 'ann@contoso.onmicrosoft.com' -DisplayName 'Ann Lee'

        Creates a member and shows the generated password once.

    .EXAMPLE
        Import-Csv -Path './people.csv' | New-MSCommerceUser -WhatIf

        Shows which users a CSV file with UserPrincipalName and DisplayName columns would create.

    .INPUTS
        System.String. UserPrincipalName and DisplayName, by property name.

    .OUTPUTS
        MSCommerce.User.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.User')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$UserPrincipalName,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$DisplayName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateSet('Member', 'Guest')]
        [string]$UserType = 'Member',

        [Parameter()]
        [System.Security.SecureString]$Password,

        [Parameter()]
        [string[]]$Role,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("User '$UserPrincipalName'", "Create it ($UserType '$DisplayName')")) {
            return
        }
        $body = @{ userPrincipalName = $UserPrincipalName; displayName = $DisplayName; userType = $UserType }
        if ($null -ne $Password) {
            $body['password'] = ConvertFrom-MSCommerceSecureString -SecureString $Password
        }
        if ($PSBoundParameters.ContainsKey('Role')) {
            $body['roles'] = @($Role)
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/users'
            Body         = $body
            Token        = $Token
            ErrorContext = "Failed to create user '$UserPrincipalName'"
            TargetObject = $UserPrincipalName
        }
        try {
            Invoke-MSCommerceRestMethod @splatRest | ConvertTo-MSCommerceUser
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
