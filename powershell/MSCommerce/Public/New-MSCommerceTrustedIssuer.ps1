function New-MSCommerceTrustedIssuer {
    <#
    .SYNOPSIS
        Trusts an identity provider (Microsoft Entra ID or any OpenID Connect issuer) for the organization.

    .DESCRIPTION
        Calls POST /v1.0/trustedIssuers. From then on, tokens of the issuer for one of the audiences sign people
        and apps in: a person's first token makes their user (name, sign-in name, member or guest), with roles
        from Entra's wids claim, from group membership through -GroupRole, or as assigned in this service
        (-RoleSource directory); an app holds the permissions its token's roles claim names. The issuer's keys
        are fetched from its discovery document. An issuer is trusted by one organization at most. Needs Global
        Administrator.

    .PARAMETER Issuer
        The issuer URL exactly as its tokens carry it in iss; for Entra ID
        https://login.microsoftonline.com/<directory ID>/v2.0.

    .PARAMETER Audience
        The aud values to accept; for Entra ID aeb86249-8ea3-49e2-900b-54cc8e308f85 (the resource Microsoft's
        module asks for) or the Application ID URI of your app registration.

    .PARAMETER ExternalTenantId
        The tid every token must carry (for Entra ID, the directory ID). Any when not given.

    .PARAMETER DisplayName
        A name for people; the issuer URL when not given.

    .PARAMETER UserClaim
        The claim that names a person for good: oid (default, Entra ID) or sub.

    .PARAMETER NameClaim
        The claim that gives the sign-in name: upn (default), preferred_username or email.

    .PARAMETER RoleSource
        Where roles come from: wids (default, Entra's role template IDs), groups (through -GroupRole) or
        directory (the roles assigned in this service).

    .PARAMETER GroupsClaim
        The claim that lists a person's groups; groups when not given.

    .PARAMETER GroupRole
        With -RoleSource groups: a hashtable of group to role name, such as @{ 'billing-admins' =
        'BillingAdministrator' }.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommerceTrustedIssuer -Issuer 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0' -Audience 'aeb86249-8ea3-49e2-900b-54cc8e308f85' -ExternalTenantId '9188040d-6c67-4c5b-b112-36a304b66dad'

        Trusts an Entra ID directory: its admins sign in with their Entra account and keep their Entra roles.

    .EXAMPLE
        New-MSCommerceTrustedIssuer -Issuer 'https://sso.example.org/realms/corp' -Audience 'mscommerce' -UserClaim sub -NameClaim preferred_username -RoleSource groups -GroupRole @{ 'billing' = 'BillingAdministrator'; 'auditors' = 'GlobalReader' }

        Trusts a Keycloak realm, with roles from group membership.

    .EXAMPLE
        Import-Csv -Path './issuers.csv' | ForEach-Object -Process { New-MSCommerceTrustedIssuer -Issuer $_.Issuer -Audience $_.Audience -Confirm:$false }

        Trusts every issuer of a CSV file with Issuer and Audience columns, without asking.

    .OUTPUTS
        MSCommerce.TrustedIssuer.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('MSCommerce.TrustedIssuer')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Issuer,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string[]]$Audience,

        [Parameter()]
        [string]$ExternalTenantId,

        [Parameter()]
        [string]$DisplayName,

        [Parameter()]
        [ValidateSet('oid', 'sub')]
        [string]$UserClaim,

        [Parameter()]
        [ValidateSet('upn', 'preferred_username', 'email')]
        [string]$NameClaim,

        [Parameter()]
        [ValidateSet('wids', 'groups', 'directory')]
        [string]$RoleSource,

        [Parameter()]
        [string]$GroupsClaim,

        [Parameter()]
        [System.Collections.IDictionary]$GroupRole,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("Issuer '$Issuer'", 'Trust its tokens to sign people and apps in to the organization')) {
            return
        }
        $mapping = @{}
        if ($PSBoundParameters.ContainsKey('UserClaim')) { $mapping.userClaim = $UserClaim }
        if ($PSBoundParameters.ContainsKey('NameClaim')) { $mapping.nameClaim = $NameClaim }
        if ($PSBoundParameters.ContainsKey('RoleSource')) { $mapping.roleSource = $RoleSource }
        if ($PSBoundParameters.ContainsKey('GroupsClaim')) { $mapping.groupsClaim = $GroupsClaim }
        if ($null -ne $GroupRole) {
            $mapping.groupRoles = @(
                foreach ($group in $GroupRole.Keys) {
                    @{ group = [string]$group; role = [string]$GroupRole[$group] }
                }
            )
        }
        $body = @{
            issuer       = $Issuer
            audiences    = @($Audience)
            claimMapping = $mapping
        }
        if ($PSBoundParameters.ContainsKey('ExternalTenantId')) { $body.externalTenantId = $ExternalTenantId }
        if ($PSBoundParameters.ContainsKey('DisplayName')) { $body.displayName = $DisplayName }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/trustedIssuers'
            Body         = $body
            Token        = $Token
            ErrorContext = "Failed to trust issuer '$Issuer'"
            TargetObject = $Issuer
        }
        try {
            $trust = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceTrustedIssuer -InputObject $trust
    }
}
